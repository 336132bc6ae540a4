/**
 * The Edge Function's way of working, end to end: a backfill too large for one tick is finished by a series of
 * scheduled ticks, each with a 10-second budget, and the result is exactly GitHub's data. Time is the simulated
 * clock the engine and the simulator share, with 2 s of latency per GitHub request, so the budget really binds.
 *
 * The clock is simulated time alone, never real time: with real time in it, the machine's load moved where ticks
 * ended and so how many requests GitHub served, and the simulator changes the data after every third request it
 * serves — after the response. When the very last request of the series (the final refresh page) was a third one,
 * GitHub grew by a pull request nobody could have seen, and the comparison failed by one (2405 of 2406).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleBackfillTick } from '../../src/edge-functions/backfill-tick.ts';
import type { Clock, EngineEvent, RunSummary } from '../../src/engine/types.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const KEY = 'tick-series-service-role-key';
const BUDGET_MS = 10_000;
const LATENCY_MS = 2_000;
const REPOSITORY = {
  owner: 'acme',
  name: 'ticked',
  pullRequests: 2_400,
  changes: { everyPages: 3, transitions: 2, growth: 1 },
};

/** Time that moves only by the waits skipped on it (latency, backoffs), from a fixed start: the machine's load is no part of it. */
function simulatedTime(startMs: number): Clock {
  let now = startMs;
  return {
    now: () => now,
    async sleep(ms) {
      if (ms > 0) now += ms;
      await Promise.resolve();
    },
  };
}

/**
 * The shared simulated clock, except for waits that are only a timeout raced against an answer (the engine's
 * health checks race each check against `sleep(5 s, signal)` and abort the loser). Simulated time would count such
 * a wait as time spent although the check answered at once; here a wait with a signal that is aborted within a
 * short real grace period never happened, and any other wait is skipped and counted as usual.
 */
function racedWaitsAreFree(clock: Clock): Clock {
  const GRACE_MS = 50;
  return {
    now: () => clock.now(),
    async sleep(ms, signal) {
      if (signal && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, GRACE_MS);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
      }
      if (signal?.aborted) return;
      await clock.sleep(ms, signal);
    },
  };
}

interface Tick {
  summary: RunSummary;
  elapsedMs: number;
  longestPageMs: number;
}

describe('a backfill carried out by scheduled ticks', () => {
  let env: EngineEnvironment;
  const ticks: Tick[] = [];

  beforeAll(async () => {
    env = await startEngineEnvironment({
      dataset: { seed: 1123, repositories: [REPOSITORY] },
      latencyMs: LATENCY_MS,
      clock: simulatedTime(Date.now()),
    });
    const clock = racedWaitsAreFree(env.clock);
    for (let i = 0; i < 30; i++) {
      const events: EngineEvent[] = [];
      const started = env.clock.now();
      const response = await handleBackfillTick(
        new Request('http://localhost/functions/v1/backfill-tick', {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ repositories: [`${REPOSITORY.owner}/${REPOSITORY.name}`] }),
        }),
        {
          store: env.store,
          github: env.github,
          clock,
          budgetMs: BUDGET_MS,
          authorizedTokens: [KEY],
          onEvent: (event) => events.push(event),
          invocationId: () => `tick-${i}`,
        },
      );
      expect(response.status).toBe(200);
      const { summary } = (await response.json()) as { summary: RunSummary };
      const pages = events.flatMap((event) => (event.type === 'page.committed' ? [event.durationMs] : []));
      ticks.push({ summary, elapsedMs: env.clock.now() - started, longestPageMs: Math.max(0, ...pages) });
      const { rows } = await env.db.client.query(`select status from progressive_backfill.backfill_state`);
      if (rows[0]?.status === 'completed') break;
    }
  }, 120_000);

  afterAll(() => env?.close());

  test('several ticks were needed, and together they completed the backfill', async () => {
    expect(ticks.length).toBeGreaterThan(2);
    const { rows } = await env.db.client.query(`select status from progressive_backfill.backfill_state`);
    expect(rows).toEqual([{ status: 'completed' }]);
    const runs = await env.db.client.query(
      `select trigger, outcome from progressive_backfill.backfill_runs order by id`,
    );
    expect(runs.rows).toHaveLength(ticks.length);
    expect(new Set(runs.rows.map((run) => run.trigger))).toEqual(new Set(['function']));
  });

  test('the stored pull requests equal GitHub, field by field', async () => {
    // GitHub changes after answering every third request: had the series' last request been one, the comparison
    // would hold a change no request could see. Simulated time makes the series the same on every machine.
    const served = env.sim.dataset.repository(REPOSITORY.owner, REPOSITORY.name)?.pageRequestsServed ?? 0;
    expect(
      served % REPOSITORY.changes.everyPages,
      'the last request changed GitHub after answering',
    ).not.toBe(0);
    const stored = await env.stored(REPOSITORY.owner, REPOSITORY.name);
    const expected = truth(env.sim, REPOSITORY.owner, REPOSITORY.name, 'core');
    expect(stored.length).toBe(expected.length);
    expect(stored).toEqual(expected);
  });

  test('no tick overran its 10-second budget by more than one page', () => {
    for (const [index, tick] of ticks.entries()) {
      // a page is at least one GitHub round trip, so the allowance can never be zero
      const onePage = Math.max(tick.longestPageMs, LATENCY_MS);
      expect(tick.elapsedMs, `tick ${index}: ${tick.summary.stopReason}`).toBeLessThanOrEqual(
        BUDGET_MS + onePage,
      );
      expect(tick.summary.durationMs).toBeLessThanOrEqual(BUDGET_MS + onePage);
    }
    // the budget, not the data, ended every tick but the last
    for (const tick of ticks.slice(0, -1)) expect(tick.summary.stopReason).toBe('time budget spent');
  });
});
