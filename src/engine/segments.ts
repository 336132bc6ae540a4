/**
 * Time-bound runs: when the walk left would not finish in the time left at one request per round, and the points
 * allow it, a round's windows go out as several concurrent requests instead of one. GitHub's time grows with the
 * nodes a request asks for, so a round of s requests takes about 1/s of the time, for about s times the points
 * (each query costs at least one). Every round is still one page: its answers are merged and committed together,
 * with one compare-and-set of the cursor, so exactness is the walk's as before.
 */
import type { PageRequest, PageResult } from '../github/types.ts';
import type { RunContext } from './context.ts';
import { mergeNumbers, splitNumbers } from './number-walk.ts';
import type { RepositoryReport } from './types.ts';

export interface SegmentsInput {
  /** windows in the next round */
  windows: number;
  /** pull requests the repository still lacks, and how many one round brings */
  prsLeft: number;
  prsPerRound: number;
  /** the time one round takes as one request (measured, or the run's first estimate) */
  sequentialRoundMs: number;
  timeLeftMs: number;
  /** points the run may still spend above the reserve */
  spendablePoints: number;
  /** points one round costs as one request */
  pointsPerRound: number;
}

/** Concurrent requests per round: 1 unless wall time binds, then the fewest that fit the time the points afford. */
export function chooseSegments(input: SegmentsInput): number {
  const rounds = Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, input.prsPerRound));
  const timeNeeded = (segments: number) => (rounds * input.sequentialRoundMs) / segments;
  if (rounds === 0 || timeNeeded(1) <= input.timeLeftMs) return 1;
  let affordable = 1;
  for (let segments = 2; segments <= input.windows; segments++) {
    // each request of a split round costs at least one point
    const points = rounds * Math.max(segments, input.pointsPerRound);
    if (points > input.spendablePoints) break;
    affordable = segments;
    if (timeNeeded(segments) <= input.timeLeftMs) break;
  }
  return affordable;
}

/**
 * Most number requests of one repository in flight at once: GitHub's secondary limits count concurrent requests
 * and the CPU time they take.
 */
export const MAX_PARALLEL_NUMBER_REQUESTS = 8;

/** The time one request takes is an estimate: aim at this share of the time left. */
const TIME_MARGIN = 0.8;

export interface ParallelInput {
  /** full number requests the walk still needs */
  requestsLeft: number;
  /** the time one takes */
  requestMs: number;
  timeLeftMs: number;
  max: number;
}

/**
 * Number requests in flight at once. Runs of numbers are independent, so s requests of K numbers in one round walk
 * s × K for the points s rounds of one would cost: each request is priced on its own either way. Only time
 * decides: one at a time unless that would not fit the time left, then the fewest that do, up to `max`.
 */
export function chooseParallelRequests(input: ParallelInput): number {
  const needed = Math.max(0, input.requestsLeft) * input.requestMs;
  const usable = Math.max(1, input.timeLeftMs * TIME_MARGIN);
  if (needed <= usable) return 1;
  return Math.max(1, Math.min(input.max, Math.ceil(needed / usable)));
}

/**
 * A round dealt into `segments` requests: a window walk's windows round-robin, so the largest partitions' windows
 * spread out; a number walk's numbers in consecutive runs.
 */
export function splitRequest(request: PageRequest, segments: number): PageRequest[] {
  if (request.numbers) return splitNumbers(request, segments);
  const parts = Math.max(1, Math.min(segments, request.windows.length));
  return Array.from({ length: parts }, (_, part) => ({
    ...request,
    windows: request.windows.filter((_, index) => index % parts === part),
  }));
}

/** One page from a round's answers: every window, the points of all, the budget as the latest answer left it. */
export function mergePages(pages: readonly PageResult[]): PageResult {
  const [first, ...rest] = pages;
  if (!first) throw new RangeError('no page to merge');
  return rest.reduce(
    (merged, page) => ({
      totalCount: Math.max(merged.totalCount, page.totalCount),
      windows: { ...merged.windows, ...page.windows },
      ...(merged.numbers && page.numbers ? { numbers: mergeNumbers([merged.numbers, page.numbers]) } : {}),
      skippedNodes: merged.skippedNodes + page.skippedNodes,
      ...mergeChildren(merged, page),
      predictedCost: merged.predictedCost + page.predictedCost,
      rateLimit: {
        ...(page.rateLimit.remaining < merged.rateLimit.remaining ? page.rateLimit : merged.rateLimit),
        cost: merged.rateLimit.cost + page.rateLimit.cost,
        nodeCount: merged.rateLimit.nodeCount + page.rateLimit.nodeCount,
      },
    }),
    first,
  );
}

/** The `full` profile's children travel with their windows: every segment's. */
function mergeChildren(a: PageResult, b: PageResult): Pick<PageResult, 'children'> {
  if (!a.children && !b.children) return {};
  return { children: new Map([...(a.children ?? []), ...(b.children ?? [])]) };
}

/** A repository's rounds so far: how long one takes as a single request, measured from the last. */
export class RoundPacer {
  private sequentialRoundMs: number;

  constructor(initialMs: number) {
    this.sequentialRoundMs = initialMs;
  }

  /** `prsPerRound`: what the round is expected to bring (a number walk's wasted slots left out). */
  segmentsFor(ctx: RunContext, round: PageRequest, report: RepositoryReport, prsPerRound: number): number {
    return chooseSegments({
      windows: round.windows.length,
      prsLeft: (report.prTotalCount ?? 0) - report.storedAfter,
      prsPerRound,
      sequentialRoundMs: this.sequentialRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve,
      pointsPerRound: ctx.github.predictCost(round),
    });
  }

  /** the time one request took, as measured last (for a window round: as one request) */
  get requestMs(): number {
    return this.sequentialRoundMs;
  }

  /** Number requests in flight for the next round, from the time one takes (see chooseParallelRequests). */
  parallelFor(ctx: RunContext, requestsLeft: number): number {
    return chooseParallelRequests({
      requestsLeft,
      requestMs: this.sequentialRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      max: MAX_PARALLEL_NUMBER_REQUESTS,
    });
  }

  /**
   * GitHub's time grows with the nodes asked for: a window round split s ways would have taken s times as long
   * (`segments` = s). A number round's requests are each a full one, so it took what one takes (`segments` = 1).
   */
  observed(ms: number, segments: number): void {
    this.sequentialRoundMs = ms * segments;
  }
}
