import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FieldProfile } from '../../src/domain/pull-request.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

describe.each<FieldProfile>(['standard', 'full'])('a backfill with the %s profile', (profile) => {
  let env: EngineEnvironment;
  const repo = { owner: 'profiles', name: profile, pullRequests: 450 };
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 21, repositories: [repo] } });
  });
  afterAll(() => env?.close());

  test('stores exactly what GitHub has, labels, reviews and comments included, and charges what it predicted', async () => {
    const summary = await env.run({ fieldProfile: profile });
    expect(summary.outcome).toBe('completed');
    expect(await env.stored(repo.owner, repo.name)).toEqual(truth(env.sim, repo.owner, repo.name, profile));
    const pages = env.sim.requests.filter((r) => r.operationName === 'PullRequestPage');
    // The planner picked the shape with the most pull requests per point: one point per page for these profiles.
    expect(pages.every((r) => r.cost === summary.plan!.pointsPerPage)).toBe(true);
  });
});
