/**
 * Graded health checks, run before every chunk. A check says ok, warn (the worker degrades: smaller pages and a
 * pause) or halt (the run stops cleanly with the reason recorded). A check that does not answer in time counts as
 * a warning, never as ok.
 */
import type { Clock, HealthStatus } from './types.ts';

export interface HealthResult {
  status: HealthStatus;
  reason: string;
}

export interface HealthCheck {
  name: string;
  check(signal: AbortSignal): Promise<HealthResult>;
}

export interface HealthVerdict {
  status: HealthStatus;
  results: (HealthResult & { check: string })[];
}

const rank: Record<HealthStatus, number> = { ok: 0, warn: 1, halt: 2 };

/**
 * The timeout is real time on purpose, not the injected clock: it guards against a check hung on real I/O, and a
 * simulated clock that skips waits would otherwise let the timeout win every race.
 */
export async function runHealthChecks(checks: HealthCheck[], timeoutMs: number): Promise<HealthVerdict> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<HealthResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ status: 'warn', reason: `did not answer within ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([c.check(controller.signal), timeout]);
        return { check: c.name, ...result };
      } catch (error) {
        return { check: c.name, status: 'warn' as const, reason: `failed: ${(error as Error).message}` };
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    }),
  );
  const status = results.reduce<HealthStatus>(
    (worst, r) => (rank[r.status] > rank[worst] ? r.status : worst),
    'ok',
  );
  return { status, results };
}

/**
 * Halts when the next page would dig into the reserve and the budget does not reset before the run must end. A reset
 * inside the run is not a warning: the fetch waits for it, and smaller pages would only buy fewer PRs per point.
 */
export function rateLimitFloorCheck(input: {
  canAfford: () => boolean;
  resetsAt: () => number;
  deadline: number;
  clock: Clock;
}): HealthCheck {
  return {
    name: 'rate-limit-floor',
    async check() {
      if (input.canAfford()) return { status: 'ok', reason: 'budget above the reserve' };
      const reset = input.resetsAt();
      if (reset < input.deadline) {
        return {
          status: 'ok',
          reason: `reserve reached; waiting for the reset at ${new Date(reset).toISOString()}`,
        };
      }
      return {
        status: 'halt',
        reason: 'rate-limit reserve reached; the budget resets after this run must end',
      };
    },
  };
}

const TIME_BUDGET_CHECK = 'time-budget';

/**
 * Whether a verdict's warnings call for the worker to degrade (smaller pages and a pause): a strained database or
 * GitHub does, time nearly spent does not — a pause would only spend what is left, and smaller pages bring less in it.
 */
export function backsOff(verdict: HealthVerdict): boolean {
  return verdict.results.some((r) => r.status === 'warn' && r.check !== TIME_BUDGET_CHECK);
}

/** Halts when too little time is left to finish one more page; warns (for the record) when a few are left. */
export function timeBudgetCheck(input: {
  deadline: number;
  clock: Clock;
  pageEstimateMs: () => number;
}): HealthCheck {
  return {
    name: TIME_BUDGET_CHECK,
    async check() {
      const left = input.deadline - input.clock.now();
      const need = input.pageEstimateMs();
      if (left < need)
        return {
          status: 'halt',
          reason: `time budget spent (${Math.max(0, left)} ms left, a page takes ~${need} ms)`,
        };
      if (left < need * 3) return { status: 'warn', reason: `time budget nearly spent (${left} ms left)` };
      return { status: 'ok', reason: `${left} ms left` };
    },
  };
}

export interface DatabaseLoadSample {
  longRunningQueries: number;
  lockWaits: number;
  deadlocks: number;
}

/**
 * Database load from the change between two samples: instantaneous counts of long-running queries and lock waits,
 * and the growth of the cumulative deadlock counter, so a busy database years ago does not count against it now.
 */
export function databaseLoadCheck(
  sample: () => Promise<DatabaseLoadSample>,
  limits = { warnLongRunning: 3, haltLongRunning: 10, warnLockWaits: 5, haltLockWaits: 20 },
): HealthCheck {
  let previous: DatabaseLoadSample | null = null;
  return {
    name: 'database-load',
    async check() {
      const current = await sample();
      const deadlocks = previous ? current.deadlocks - previous.deadlocks : 0;
      previous = current;
      const describe = `${current.longRunningQueries} long-running queries, ${current.lockWaits} lock waits, ${deadlocks} new deadlocks`;
      if (current.longRunningQueries >= limits.haltLongRunning || current.lockWaits >= limits.haltLockWaits) {
        return { status: 'halt', reason: `database overloaded: ${describe}` };
      }
      if (
        current.longRunningQueries >= limits.warnLongRunning ||
        current.lockWaits >= limits.warnLockWaits ||
        deadlocks > 0
      ) {
        return { status: 'warn', reason: `database busy: ${describe}` };
      }
      return { status: 'ok', reason: describe };
    },
  };
}
