/**
 * The points budget: a plan made once from the live rate limit, then a shared ledger that every repository
 * worker must reserve from before it sends a request, so concurrent workers together never dig into the reserve.
 */
import type { FieldProfile } from '../domain/pull-request.ts';
import type { GitHubClient, RateLimitState } from '../github/types.ts';
import type { Plan } from './types.ts';
import { MAX_WALK_WINDOWS, parseWalkCursor, walkRequest } from './walk.ts';

export function defaultReserve(limit: number): number {
  return Math.max(Math.ceil(limit * 0.1), 100);
}

export interface PageShape {
  windowSize: number;
  /** windows per request: up to two per state partition */
  windows: number;
  points: number;
  prs: number;
}

/**
 * Every window size and window count of a walk page priced with the cost model. GitHub rounds each query's cost to
 * the nearest point, so the best value is often just under a rounding step (e.g. 49 PRs with labels), not at 100.
 */
export function pageShapes(github: Pick<GitHubClient, 'predictCost'>, profile: FieldProfile): PageShape[] {
  const shapes: PageShape[] = [];
  const fresh = parseWalkCursor(null);
  for (let windows = 1; windows <= MAX_WALK_WINDOWS; windows++) {
    for (let size = 1; size <= 100; size++) {
      const points = github.predictCost(
        walkRequest(fresh, { owner: 'o', name: 'n' }, profile, size, windows),
      );
      shapes.push({ windowSize: size, windows, points, prs: size * windows });
    }
  }
  return shapes;
}

/** Most pull requests per point, then most per request (fewer round trips), then fewer windows. */
export function bestShape(shapes: PageShape[], maxWindowSize = 100): PageShape {
  const usable = shapes.filter((s) => s.windowSize <= maxWindowSize);
  usable.sort((a, b) => b.prs / b.points - a.prs / a.points || b.prs - a.prs || a.windows - b.windows);
  const best = usable[0];
  if (!best) throw new Error('no page shape fits');
  return best;
}

export interface PlanInput {
  rateLimit: RateLimitState;
  reservePoints?: number;
  shapes: PageShape[];
  chunkSize?: number;
  maxChunks?: number;
  concurrency?: number;
  candidates: number;
  timeBudgetMs: number;
  /** expected wall time of one page request, for sizing concurrency to the time budget */
  pageLatencyMs: number;
  now: number;
}

export function planRun(input: PlanInput): Plan {
  const { rateLimit } = input;
  const reserve = input.reservePoints ?? defaultReserve(rateLimit.limit);
  const fixedSize = input.shapes.filter((s) => s.windowSize === input.chunkSize);
  const shape = bestShape(fixedSize.length > 0 ? fixedSize : input.shapes);
  const spendable = Math.max(0, rateLimit.remaining - reserve);
  const resetMs = Date.parse(rateLimit.resetAt) - input.now;
  // A budget that resets inside this run's time window can be spent twice.
  const windowsInRun =
    resetMs > 0 && resetMs < input.timeBudgetMs
      ? 1 + Math.floor((input.timeBudgetMs - resetMs) / 3_600_000)
      : 0;
  const pagesAffordable = Math.floor(
    (spendable + windowsInRun * Math.max(0, rateLimit.limit - reserve)) / Math.max(1, shape.points),
  );
  const pagesPlanned = Math.min(pagesAffordable, input.maxChunks ?? Number.POSITIVE_INFINITY);
  // Enough repositories at once that the planned pages fit the time budget, never more than there is work for.
  const pagesPerWorker = Math.max(1, Math.floor(input.timeBudgetMs / Math.max(1, input.pageLatencyMs)));
  const needed = Math.ceil(pagesPlanned / pagesPerWorker);
  const concurrency = Math.max(
    1,
    Math.min(input.concurrency ?? Math.min(8, Math.max(1, needed)), Math.max(1, input.candidates)),
  );
  const reason =
    pagesAffordable === 0
      ? `only ${rateLimit.remaining} points left and ${reserve} are kept in reserve until ${rateLimit.resetAt}`
      : `${pagesPlanned} pages of ${shape.prs} PRs at ${shape.points} point(s) each, ${concurrency} repositories at once`;
  return {
    pageSize: shape.windowSize,
    ...(fixedSize.length > 0 ? { pageSizeFixed: true } : {}),
    windowsPerRequest: shape.windows,
    pointsPerPage: shape.points,
    pagesAffordable,
    pagesPlanned,
    concurrency,
    remaining: rateLimit.remaining,
    reserve,
    resetAt: rateLimit.resetAt,
    reason,
  };
}

/** Live ledger shared by the workers of one run. */
export class BudgetLedger {
  private remaining: number;
  private resetAt: number;
  private limit: number;
  private inFlight = 0;
  private pagesLeft: number;
  spent = 0;

  constructor(
    state: RateLimitState,
    readonly reserve: number,
    pagesPlanned: number,
  ) {
    this.remaining = state.remaining;
    this.resetAt = Date.parse(state.resetAt);
    this.limit = state.limit;
    this.pagesLeft = pagesPlanned;
  }

  /** Claim points for one request; false when it would touch the reserve or the run's page allowance is spent. */
  tryReserve(points: number, now: number): boolean {
    if (now >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = now + 3_600_000;
    }
    if (this.pagesLeft <= 0) return false;
    if (this.remaining - this.inFlight - points < this.reserve) return false;
    this.inFlight += points;
    this.pagesLeft -= 1;
    return true;
  }

  /** Settle a reservation with what GitHub reported; responses can arrive out of order, so keep the lowest. */
  settle(reserved: number, observed: RateLimitState | null, charged: number): void {
    this.inFlight -= reserved;
    this.spent += charged;
    if (!observed) {
      this.remaining -= charged;
      return;
    }
    const reset = Date.parse(observed.resetAt);
    if (reset > this.resetAt) {
      this.resetAt = reset;
      this.remaining = observed.remaining;
    } else {
      this.remaining = Math.min(this.remaining - charged, observed.remaining);
    }
    this.limit = observed.limit;
  }

  /** Give back a reservation whose request failed before GitHub could charge it. */
  cancel(reserved: number): void {
    this.inFlight -= reserved;
    this.pagesLeft += 1;
  }

  exhausted(points: number): boolean {
    return this.pagesLeft <= 0 || this.remaining - this.inFlight - points < this.reserve;
  }

  pagesRemaining(): number {
    return this.pagesLeft;
  }

  resetsAt(): number {
    return this.resetAt;
  }

  remainingPoints(): number {
    return this.remaining;
  }

  markExhausted(resetAt: string | undefined): void {
    this.remaining = 0;
    if (resetAt) this.resetAt = Date.parse(resetAt);
  }
}
