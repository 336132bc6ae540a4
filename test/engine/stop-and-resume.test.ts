import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const REPO = { owner: 'stop', name: 'repo', pullRequests: 2_500 };

describe('stopping and coming back', () => {
  let env: EngineEnvironment;
  beforeEach(async () => {
    env = await startEngineEnvironment({ dataset: { seed: 11, repositories: [REPO] } });
  });
  afterEach(() => env?.close());

  test('a stop signal finishes the page in flight, releases the lease and records the run as interrupted', async () => {
    const controller = new AbortController();
    let pages = 0;
    const summary = await env.run(
      { chunkSize: 50 },
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'page.committed' && ++pages === 3) controller.abort();
        },
      },
    );
    expect(summary.outcome).toBe('interrupted');
    expect(summary.stopReason).toMatch(/stop signal/);
    const chunks = await env.db.client.query(
      `select status from progressive_backfill.backfill_chunks where status = 'running'`,
    );
    expect(chunks.rowCount).toBe(0);
    const run = await env.db.client.query(
      `select outcome, finished_at from progressive_backfill.backfill_runs where id = $1`,
      [summary.runId],
    );
    expect(run.rows[0]).toMatchObject({ outcome: 'interrupted' });
    expect(run.rows[0].finished_at).not.toBeNull();
    // Every page whose fetch had started was committed: nothing in flight was thrown away.
    const stored = (
      await env.db.client.query(`select stored_pr_count from progressive_backfill.repositories`)
    ).rows[0].stored_pr_count;
    expect(stored).toBe(summary.prsWritten);

    const again = await env.run();
    expect(again.outcome).toBe('completed');
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
  });

  test('a completed repository whose completeness falls under the threshold is picked up again', async () => {
    await env.run();
    // Lose most of the stored rows (a careless cleanup), keeping the counter honest.
    await env.db.client.query(`delete from progressive_backfill.pull_requests where number % 4 <> 0`);
    await env.db.client.query(
      `update progressive_backfill.repositories set stored_pr_count = (select count(*) from progressive_backfill.pull_requests)`,
    );
    const summary = await env.run({ force: false, repositories: [] });
    expect(summary.repositories.map((r) => [r.fullName, r.outcome])).toEqual([['stop/repo', 'completed']]);
    expect(await env.stored(REPO.owner, REPO.name)).toEqual(truth(env.sim, REPO.owner, REPO.name, 'core'));
  });
});
