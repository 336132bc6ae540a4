import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fastClock } from '../../scripts/harness/fast-clock.ts';
import { DEFAULTS } from '../../src/engine/options.ts';
import type { Clock } from '../../src/engine/types.ts';
import { type EngineEnvironment, startEngineEnvironment } from '../support/engine-environment.ts';

/**
 * A refresh that waits an hour for GitHub's rate-limit reset holds no lease. Recovery runs (as pg_cron does) while
 * it waits, and every wait slice is made to look 20 minutes long to the database — longer than the 15 minutes after
 * which recovery takes a silent run for a vanished one.
 */
describe('a run waiting for the rate-limit reset in a refresh', () => {
  let env: EngineEnvironment;
  const interrupted: number[] = [];
  let recoverDuringWaits = false;

  beforeAll(async () => {
    const fast = fastClock();
    const clock: Clock = {
      now: fast.now,
      async sleep(ms, signal) {
        if (recoverDuringWaits && ms >= 10_000) {
          interrupted.push((await env.store.recoverStuckChunks(DEFAULTS.runRecovery)).runsInterrupted);
          await env.db.client.query(
            `update progressive_backfill.backfill_runs set heartbeat_at = now() - interval '20 minutes'
              where outcome = 'running'`,
          );
        }
        await fast.sleep(ms, signal);
      },
    };
    // 101 points an hour and 100 in reserve: the lookup and one page spend the hour, the refresh must wait
    env = await startEngineEnvironment({
      dataset: { seed: 3, repositories: [{ owner: 'acme', name: 'small', pullRequests: 150 }] },
      token: { limit: 101 },
      clock,
    });
  });
  afterAll(() => env?.close());

  test('keeps the run alive with heartbeats, so recovery never marks it interrupted', async () => {
    recoverDuringWaits = true;
    const summary = await env.run({ timeBudgetMs: 3 * 3_600_000 });
    expect(summary.errors.critical).toEqual([]);
    expect(summary.repositories[0]).toMatchObject({ outcome: 'completed' });
    // the refresh did wait, through many recoveries, and none of them took the run for dead
    expect(interrupted.length).toBeGreaterThan(10);
    expect(interrupted.every((n) => n === 0)).toBe(true);
    const { rows } = await env.db.client.query(`select outcome from progressive_backfill.backfill_runs`);
    expect(rows).toEqual([{ outcome: 'completed' }]);
  });
});
