import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBackfill } from '../../src/engine/run.ts';
import { type EngineEnvironment, startEngineEnvironment } from '../support/engine-environment.ts';

/** Every table the product writes, as one comparable snapshot. */
async function snapshot(env: EngineEnvironment) {
  const tables = ['repositories', 'pull_requests', 'backfill_state', 'backfill_chunks', 'backfill_runs'];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    out[t] = (await env.db.client.query(`select * from progressive_backfill.${t} order by 1`)).rows;
  }
  return out;
}

describe('a dry run', () => {
  let env: EngineEnvironment;
  beforeAll(async () => {
    env = await startEngineEnvironment({
      dataset: {
        seed: 3,
        repositories: [
          { owner: 'dry', name: 'tracked', pullRequests: 900 },
          { owner: 'dry', name: 'new', pullRequests: 400 },
        ],
      },
    });
    // One repository already half done, so the plan has both kinds of work to describe.
    await runBackfill(
      env.options({ repositories: [{ owner: 'dry', name: 'tracked' }], maxChunks: 2, chunkSize: 100 }),
      {
        store: env.store,
        github: env.github,
        clock: env.clock,
      },
    );
  });
  afterAll(() => env?.close());

  test('reads GitHub and the database, plans, and writes nothing', async () => {
    const before = await snapshot(env);
    const requestsBefore = env.sim.requests.length;
    const summary = await env.run({ dryRun: true });
    expect(await snapshot(env)).toEqual(before);
    expect(summary.runId).toBeNull();
    expect(summary.plan?.pagesPlanned).toBeGreaterThan(0);
    expect(summary.repositories.map((r) => [r.fullName, r.outcome])).toEqual([
      ['dry/tracked', 'dry_run'],
      ['dry/new', 'dry_run'],
    ]);
    expect(summary.repositories[0]?.detail).toMatch(/would fetch \d+ of ~\d+ pages/);
    // It asked GitHub only for the budget and the repositories, never for pull requests.
    const asked = env.sim.requests.slice(requestsBefore).map((r) => r.operationName ?? r.path);
    expect(asked.some((name) => /PullRequestPage|UpdatedPullRequests/.test(String(name)))).toBe(false);
  });
});
