import { describe, expect, test } from 'vitest';
import { engineEnvironmentFor, truth } from '../support/engine-environment.ts';

const REPO = { owner: 'flaky', name: 'start', pullRequests: 400 };

describe('GitHub fails the first request of a run', () => {
  const env = engineEnvironmentFor({ dataset: { seed: 13, repositories: [REPO] } });

  test('the run stops as interrupted with a warning, not failed, and the next run does the work', async () => {
    // The repository lookup, the first GraphQL request, meets a 502 (the test client does not retry by itself).
    env.sim.setFaults({ next: [{ kind: '502', body: 'html' }] });
    const first = await env.run();
    expect(first).toMatchObject({ outcome: 'interrupted', errors: { critical: [] } });
    expect(first.errors.warnings[0]).toMatchObject({ kind: 'transient' });

    const second = await env.run();
    expect(second.outcome).toBe('completed');
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
  });
});
