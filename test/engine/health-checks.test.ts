import { describe, expect, test, vi } from 'vitest';
import {
  backsOff,
  databaseLoadCheck,
  type HealthCheck,
  rateLimitFloorCheck,
  runHealthChecks,
  timeBudgetCheck,
} from '../../src/engine/health.ts';
import type { Clock } from '../../src/engine/types.ts';

/** A clock whose sleeps resolve as soon as the test advances time past them. */
function manualClock(start = 0) {
  let now = start;
  const sleepers: { until: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const entry = { until: now + ms, resolve };
        sleepers.push(entry);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      }),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const s of sleepers.splice(0)) {
      if (s.until <= now) s.resolve();
      else sleepers.push(s);
    }
  };
  return { clock, advance };
}

const fixed = (name: string, status: 'ok' | 'warn' | 'halt'): HealthCheck => ({
  name,
  check: async () => ({ status, reason: name }),
});

describe('graded health checks', () => {
  test('the worst grade wins', async () => {
    expect((await runHealthChecks([fixed('a', 'ok'), fixed('b', 'warn')], 1000)).status).toBe('warn');
    expect((await runHealthChecks([fixed('a', 'warn'), fixed('b', 'halt')], 1000)).status).toBe('halt');
    expect((await runHealthChecks([fixed('a', 'ok')], 1000)).status).toBe('ok');
  });

  test('a check that never answers counts as a warning once its timeout passes', async () => {
    vi.useFakeTimers();
    const hanging: HealthCheck = { name: 'hang', check: () => new Promise(() => {}) };
    const verdict = runHealthChecks([hanging], 5000);
    await vi.advanceTimersByTimeAsync(5000);
    vi.useRealTimers();
    await expect(verdict).resolves.toMatchObject({
      status: 'warn',
      results: [{ check: 'hang', reason: /5000 ms/ }],
    });
  });

  test('a check that throws is a warning with its message', async () => {
    const broken: HealthCheck = { name: 'broken', check: async () => Promise.reject(new Error('boom')) };
    expect(await runHealthChecks([broken], 1000)).toMatchObject({
      status: 'warn',
      results: [{ reason: /boom/ }],
    });
  });

  test('the rate-limit floor halts only when the budget resets after the run must end', async () => {
    // A reset inside the run is waited for by the fetch, so it is not a reason to degrade.
    const { clock } = manualClock(0);
    const check = (resetsAt: number) =>
      rateLimitFloorCheck({
        canAfford: () => false,
        resetsAt: () => resetsAt,
        deadline: 10_000,
        clock,
      }).check(new AbortController().signal);
    expect((await check(5_000)).status).toBe('ok');
    expect((await check(20_000)).status).toBe('halt');
  });

  test('the time budget halts when one more page does not fit', async () => {
    const { clock, advance } = manualClock(0);
    const check = timeBudgetCheck({ deadline: 10_000, clock, pageEstimateMs: () => 1_000 });
    expect((await check.check(new AbortController().signal)).status).toBe('ok');
    advance(8_000);
    expect((await check.check(new AbortController().signal)).status).toBe('warn');
    advance(1_500);
    expect((await check.check(new AbortController().signal)).status).toBe('halt');
  });

  test('time nearly spent is recorded but does not make the worker pause and shrink; a strained database does', async () => {
    const { clock, advance } = manualClock(0);
    const time = timeBudgetCheck({ deadline: 10_000, clock, pageEstimateMs: () => 1_000 });
    const strained = {
      name: 'database-load',
      check: async () => ({ status: 'warn' as const, reason: 'busy' }),
    };
    advance(8_000);
    const nearlySpent = await runHealthChecks([time], 1_000);
    expect(nearlySpent.status).toBe('warn');
    expect(backsOff(nearlySpent)).toBe(false);
    expect(backsOff(await runHealthChecks([time, strained], 1_000))).toBe(true);
  });

  test('database load judges deadlocks by their growth between samples, not the lifetime counter', async () => {
    const samples = [
      { longRunningQueries: 0, lockWaits: 0, deadlocks: 500 },
      { longRunningQueries: 0, lockWaits: 0, deadlocks: 500 },
      { longRunningQueries: 0, lockWaits: 0, deadlocks: 501 },
      { longRunningQueries: 12, lockWaits: 0, deadlocks: 501 },
    ];
    const check = databaseLoadCheck(async () => samples.shift()!);
    const signal = new AbortController().signal;
    expect((await check.check(signal)).status).toBe('ok');
    expect((await check.check(signal)).status).toBe('ok');
    expect((await check.check(signal)).status).toBe('warn');
    expect((await check.check(signal)).status).toBe('halt');
  });
});
