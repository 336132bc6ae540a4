/**
 * Two runs refreshing one repository at once (an overrunning tick and the next one, say) hold no lease: the
 * refresh's stored position fences them, so the one that finds it moved stops, and the data ends equal to GitHub.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const repo = { owner: 'twice', name: 'refreshed', pullRequests: 700 };

describe('two runs refreshing one repository at once', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 41, repositories: [repo] } });
  });
  afterAll(() => env?.close());

  test('one stops when it finds the refresh moved on, and the data ends equal to GitHub', async () => {
    expect((await env.run()).outcome).toBe('completed');
    const repository = env.sim.dataset.repository(repo.owner, repo.name)!;
    const now = Math.floor(env.clock.now() / 1000) + 60;
    for (let index = 0; index < 450; index++)
      repository.changePullRequest(index, now + index, { baseRefName: `branch-${index % 4}` });

    const [a, b] = await Promise.all([env.run({ workerId: 'worker-a' }), env.run({ workerId: 'worker-b' })]);
    const reports = [a, b].map((summary) => summary.repositories[0]!);
    for (const summary of [a, b]) expect(summary.errors.critical).toEqual([]);
    expect(reports.map((r) => r.outcome)).toContain('refreshed');
    for (const report of reports) {
      if (report.outcome !== 'refreshed') expect(report.detail).toBe('another worker is refreshing it');
    }
    expect(await env.stored(repo.owner, repo.name)).toEqual(truth(env.sim, repo.owner, repo.name, 'core'));
    const { rows } = await env.db.client.query(
      'select refresh_cursor, watermark from progressive_backfill.backfill_state',
    );
    expect(rows[0].refresh_cursor).toBeNull();
    expect(Date.parse(rows[0].watermark)).toBeGreaterThanOrEqual((now + 449) * 1000);
  }, 120_000);
});
