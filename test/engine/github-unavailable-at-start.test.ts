import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBackfill } from '../../src/engine/run.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const REPO = { owner: 'flaky', name: 'start', pullRequests: 400 };

describe('GitHub fails the first request of a run', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 13, repositories: [REPO] } });
  });
  afterAll(() => env?.close());

  test('the run stops as interrupted with a warning, not failed, and the next run does the work', async () => {
    // The repository lookup, the first GraphQL request, meets a 502 (the test client does not retry by itself).
    env.sim.setFaults({ next: [{ kind: '502', body: 'html' }] });
    const first = await runBackfill(env.options(), {
      store: env.store,
      github: env.github,
      clock: env.clock,
    });
    expect(first).toMatchObject({ outcome: 'interrupted', errors: { critical: [] } });
    expect(first.errors.warnings[0]).toMatchObject({ kind: 'transient' });

    const second = await runBackfill(env.options(), {
      store: env.store,
      github: env.github,
      clock: env.clock,
    });
    expect(second.outcome).toBe('completed');
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
  });
});
