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
  /**
   * rounds the walk needs at the least whatever the split (its largest partition's: see walk.ts roundsLeft), when
   * more than `prsLeft ÷ prsPerRound`
   */
  walkRounds?: number;
}

/**
 * Concurrent requests per round: 1 unless wall time binds, then the fewest that fit the time the points afford. A
 * round takes as long as its heaviest request: s requests of w windows carry up to ⌈w ÷ s⌉ windows each.
 */
export function chooseSegments(input: SegmentsInput): number {
  const rounds = Math.max(
    Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, input.prsPerRound)),
    input.walkRounds ?? 0,
  );
  const windows = Math.max(1, input.windows);
  const timeNeeded = (segments: number) =>
    (rounds * input.sequentialRoundMs * Math.ceil(windows / segments)) / windows;
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

export interface ProbeInput {
  /** the lookups the probe would ask for otherwise */
  count: number;
  /** the fewest the number walk asks for in one request */
  min: number;
  /** pull requests the repository lacks, and how many one window round brings */
  prsLeft: number;
  prsPerRound: number;
  /** the time one window round takes as one request (the run's first estimate: nothing is measured yet) */
  sequentialRoundMs: number;
  timeLeftMs: number;
  /** a window's pull requests, and the points one window round costs as one request */
  windowSize: number;
  pointsPerRound: number;
  /** points the run may still spend above the reserve */
  spendablePoints: number;
}

/**
 * Lookups in the number walk's probe; 0 for no probe, the window walk at once. The probe learns the newest number and
 * the state counts whatever its size, for numbersWin to choose by, and GitHub's time grows with the lookups asked for.
 * When time binds (the window walk one request a round would not fit the time left) and the points pay for the window
 * walk even if one partition held every pull request (two windows a round), numbersWin would choose windows whatever
 * the probe found: it is skipped. When time binds but the points might not pay, it asks for the fewest.
 */
export function probeNumbers(input: ProbeInput): number {
  const rounds = Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, input.prsPerRound));
  if (rounds * input.sequentialRoundMs <= input.timeLeftMs) return input.count;
  const worstRounds = Math.ceil(Math.max(0, input.prsLeft) / Math.max(1, 2 * input.windowSize));
  if (worstRounds * input.pointsPerRound <= input.spendablePoints) return 0;
  return Math.min(input.count, input.min);
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

/**
 * A repository's rounds so far: how long a window round takes as a single request, and a number request, each
 * measured from its last. Kept apart: a probe of a few lookups says nothing of a round of six 100-PR windows.
 */
export class RoundPacer {
  private windowRoundMs: number;
  private numberRequestMs: number;

  constructor(initialMs: number) {
    this.windowRoundMs = initialMs;
    this.numberRequestMs = initialMs;
  }

  /**
   * `prsPerRound`: what the round is expected to bring; `walkRounds`: the fewest rounds the walk can still take, given
   * the PRs left (see walk.ts roundsLeft).
   */
  segmentsFor(
    ctx: RunContext,
    round: PageRequest,
    report: RepositoryReport,
    prsPerRound: number,
    walkRounds: (prsLeft: number) => number,
  ): number {
    const prsLeft = (report.prTotalCount ?? 0) - report.storedAfter;
    return chooseSegments({
      windows: round.windows.length,
      prsLeft,
      prsPerRound,
      walkRounds: walkRounds(prsLeft),
      sequentialRoundMs: this.windowRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve,
      pointsPerRound: ctx.github.predictCost(round),
    });
  }

  /** Lookups in the number walk's probe, 0 for none (see probeNumbers). */
  probeFor(ctx: RunContext, report: RepositoryReport, count: number, min: number): number {
    return probeNumbers({
      count,
      min,
      prsLeft: (report.prTotalCount ?? 0) - report.storedAfter,
      prsPerRound: ctx.plan.windowsPerRequest * ctx.plan.pageSize,
      sequentialRoundMs: this.windowRoundMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      windowSize: ctx.plan.pageSize,
      pointsPerRound: ctx.plan.pointsPerPage,
      spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve,
    });
  }

  /** the time one number request took, as measured last */
  get requestMs(): number {
    return this.numberRequestMs;
  }

  /** Number requests in flight for the next round, from the time one takes (see chooseParallelRequests). */
  parallelFor(ctx: RunContext, requestsLeft: number): number {
    return chooseParallelRequests({
      requestsLeft,
      requestMs: this.numberRequestMs,
      timeLeftMs: ctx.deadline - ctx.clock.now(),
      max: MAX_PARALLEL_NUMBER_REQUESTS,
    });
  }

  /** A number round's requests are each a full one, so the round took what one takes. */
  observedNumbers(ms: number): void {
    this.numberRequestMs = ms;
  }

  /**
   * GitHub's time grows with the nodes asked for: a window round split s ways (`segments`) would have taken s times
   * as long as one request.
   */
  observedWindows(ms: number, segments: number): void {
    this.windowRoundMs = ms * segments;
  }
}
