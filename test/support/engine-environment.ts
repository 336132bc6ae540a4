/** The harness's engine environment (scripts/harness), on the test run's own PostgreSQL server by default. */
import { afterAll, beforeAll, inject } from 'vitest';
import {
  type EngineEnvironment,
  type EngineEnvironmentInput,
  startEngineEnvironment as startOn,
} from '../../scripts/harness/engine-environment.ts';

export * from '../../scripts/harness/engine-environment.ts';

export function startEngineEnvironment(input: EngineEnvironmentInput): Promise<EngineEnvironment> {
  return startOn({ adminUrl: inject('adminDatabaseUrl'), ...input });
}

/**
 * The environment the tests of one describe block share: started before them, closed after them. The object is
 * filled in by `beforeAll`, so read it only inside hooks and tests.
 */
export function engineEnvironmentFor(input: EngineEnvironmentInput): EngineEnvironment {
  const env = {} as EngineEnvironment;
  beforeAll(async () => {
    Object.assign(env, await startEngineEnvironment(input));
  });
  afterAll(() => env.close?.());
  return env;
}
