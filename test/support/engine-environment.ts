/** The harness's engine environment (scripts/harness), on the test run's own PostgreSQL server by default. */
import { inject } from 'vitest';
import {
  type EngineEnvironment,
  type EngineEnvironmentInput,
  startEngineEnvironment as startOn,
} from '../../scripts/harness/engine-environment.ts';

export * from '../../scripts/harness/engine-environment.ts';

export function startEngineEnvironment(input: EngineEnvironmentInput): Promise<EngineEnvironment> {
  return startOn({ adminUrl: inject('adminDatabaseUrl'), ...input });
}
