import { describe, expect, test } from 'vitest';
import { engineEnvironmentFor, truth } from '../support/engine-environment.ts';

describe('a repository disappears in the middle of a backfill', () => {
  let gone = false;
  const env = engineEnvironmentFor({
    dataset: {
      seed: 8,
      repositories: [
        { owner: 'org', name: 'doomed', pullRequests: 2_000 },
        { owner: 'org', name: 'healthy', pullRequests: 1_500 },
      ],
    },
    token: { canSee: (_owner, name) => !(gone && name === 'doomed') },
  });

  test('it is marked failed with a message saying what to do, and the other repository is still backfilled', async () => {
    let pages = 0;
    const summary = await env.run(
      { chunkSize: 50, concurrency: 1 },
      {
        onEvent: (e) => {
          if (e.type === 'page.committed' && e.repository === 'org/doomed' && ++pages === 2) gone = true;
        },
      },
    );
    expect(summary.outcome).toBe('partial');
    expect(summary.errors.critical).toEqual([
      expect.objectContaining({
        repository: 'org/doomed',
        kind: 'not_found',
        message: expect.stringMatching(/token/),
      }),
    ]);
    const outcomes = Object.fromEntries(summary.repositories.map((r) => [r.fullName, r.outcome]));
    expect(outcomes).toEqual({ 'org/doomed': 'failed', 'org/healthy': 'completed' });
    const { rows } = await env.db.client.query(
      `select r.name, s.status, s.last_error from progressive_backfill.backfill_state s join progressive_backfill.repositories r on r.id = s.repository_id order by r.name`,
    );
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['doomed', 'failed'],
      ['healthy', 'completed'],
    ]);
    expect(rows[0].last_error).toMatch(/org\/doomed/);
    expect(await env.stored('org', 'healthy')).toEqual(truth(env.sim, 'org', 'healthy', 'core'));
  });
});
