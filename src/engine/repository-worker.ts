/**
 * Backfills one repository: claim a chunk, then fetch → commit page after page, the next fetch already under way
 * while the current page commits. Every page lands with its cursor and progress in one transaction (the contract's
 * commit function), so stopping or crashing between any two lines loses nothing but the page in flight.
 */
import type { PullRequestRecord } from '../domain/pull-request.ts';
import { type BackfillScope, isWholeRepository } from '../domain/scope.ts';
import { MAX_NUMBERS_PER_REQUEST } from '../github/queries.ts';
import { GitHubError, type PageResult } from '../github/types.ts';
import { type ChunkLease, type CommitPageResult, StoreError } from '../store/types.ts';
import {
  afterChunkFailed,
  type ChunkEnd,
  type ChunkFailure,
  type ErrorRecord,
  onChunkError,
} from './chunk-error-policy.ts';
import type { RunContext } from './context.ts';
import { BudgetExhausted, fetchRound, StopRequested } from './fetch-page.ts';
import { drainFollowUps, pageChildren } from './follow-ups.ts';
import { backsOff, runHealthChecks } from './health.ts';
import { beatWhileWaiting } from './heartbeat.ts';
import {
  advanceNumbers,
  FRESH_NUMBER_WALK,
  isNumberWalkCursor,
  MIN_NUMBERS_PER_REQUEST,
  type NumberWalkCursor,
  numberRequest,
  numbersPerPoint,
  numbersWin,
  reachableNumbers,
  type ShapePrices,
  splitNumberStep,
} from './number-walk.ts';
import { DEFAULTS } from './options.ts';
import { AdaptivePageSize } from './page-size.ts';
import { RoundPacer } from './segments.ts';
import type { RepositoryReport } from './types.ts';
import { advanceWalk, parseWalkCursor, roundsLeft, type WalkCursor, walkRequest } from './walk.ts';

export interface RepositoryTarget {
  repositoryId: number;
  owner: string;
  name: string;
  fullName: string;
  /** the pull requests its backfill covers: the one stored with it (start_backfill's answer, or selection's) */
  scope: BackfillScope;
}

interface ChunkResult {
  end: ChunkEnd;
  retryAt?: number;
}

const HEALTH_TIMEOUT_MS = 5_000;
const WARN_DELAY_MS = 2_000;

export async function backfillRepository(
  ctx: RunContext,
  target: RepositoryTarget,
  report: RepositoryReport,
): Promise<void> {
  const size: WalkSizes = {
    windows: new AdaptivePageSize(ctx.plan.pageSize),
    // lookups grow from a moderate probe, doubling with each quick clean answer until the first failure
    numbers: new AdaptivePageSize(mostNumbers(ctx), MIN_NUMBERS_PER_REQUEST, 1, FIRST_NUMBERS_PER_REQUEST),
  };
  // the repository's round times carry over from chunk to chunk: a fresh guess would not split the first round
  const pacer = new RoundPacer(ctx.pageTimer.ms);
  while (ctx.stopReason() === null) {
    const verdict = await runHealthChecks(ctx.healthChecks, HEALTH_TIMEOUT_MS);
    for (const r of verdict.results) {
      if (r.status !== 'ok') ctx.emit({ type: 'health', check: r.check, status: r.status, reason: r.reason });
    }
    if (verdict.status === 'halt') {
      ctx.halt(verdict.results.find((r) => r.status === 'halt')!.reason);
      break;
    }
    if (backsOff(verdict)) {
      size.windows.shrink();
      size.numbers.shrink();
      await ctx.clock.sleep(WARN_DELAY_MS, ctx.signal);
    }
    const lease = await ctx.store.claimChunk({
      repositoryId: target.repositoryId,
      workerId: ctx.workerId,
      leaseSeconds: ctx.leaseSeconds,
      runId: ctx.runId,
    });
    if (!lease) {
      if (report.outcome === 'skipped')
        report.detail = 'no claimable chunk (leased elsewhere or waiting for a retry)';
      break;
    }
    report.outcome = 'in_progress';
    const { end, retryAt } = await runChunk(ctx, target, lease, size, pacer, report);
    if (end === 'retry' && retryAt !== undefined) {
      // The chunk is queued again after a short backoff: wait for it inside this run if the time allows.
      const wait = retryAt - ctx.clock.now();
      if (ctx.clock.now() + wait + ctx.pageTimer.ms > ctx.deadline) break;
      await ctx.clock.sleep(wait, ctx.signal);
      continue;
    }
    if (end === 'done') {
      report.outcome = 'completed';
      break;
    }
    if (end !== 'allowance') {
      if (end === 'paused') report.outcome = 'paused';
      if (end === 'failed') report.outcome = 'failed';
      break;
    }
  }
}

interface Fetched {
  page: PageResult;
  cursor: AnyWalkCursor;
}

type AnyWalkCursor = WalkCursor | NumberWalkCursor;

/** What an answer moves either walk to: the pull requests to store, the next cursor, whether the walk is done. */
interface AnyStep {
  prs: PullRequestRecord[];
  next: AnyWalkCursor;
  done: boolean;
}

/** The walks' page sizes: windows of up to 100 pull requests, runs of up to MAX_NUMBERS_PER_REQUEST numbers. */
interface WalkSizes {
  windows: AdaptivePageSize;
  numbers: AdaptivePageSize;
}

/** The probe's failures that mean lookups by number are not answered here, not that GitHub is down. */
const PROBE_REFUSALS: ReadonlySet<string> = new Set(['invalid', 'partial', 'unknown']);

/** Lookups in the number walk's first request (the probe): moderate, since GitHub answers in 10 s or not at all. */
const FIRST_NUMBERS_PER_REQUEST = 250;

/**
 * The walk a chunk carries on: its stored cursor's, or for a walk not begun, the number walk's probe when a number
 * walk could bring more pull requests per point than windows at all — for whole repositories only (a scope's
 * filters exist on connections, not on numbers), and not when the operator set the page size (chunk-size sizes
 * windows: pages of exactly it are what was asked for).
 */
function startCursor(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: ChunkLease,
  prices: ShapePrices,
): AnyWalkCursor {
  if (isNumberWalkCursor(lease.cursor)) return lease.cursor;
  if (lease.cursor !== null || !isWholeRepository(target.scope) || ctx.plan.pageSizeFixed)
    return parseWalkCursor(lease.cursor, target.scope);
  // every number a pull request, every window full: the best either walk could do
  const best = { total: 1, newest: 1, states: { OPEN: 0, CLOSED: 0, MERGED: 0 } };
  const windowsBest = (prices.windows * prices.windowSize) / Math.max(1, prices.windowsPoints);
  return numbersPerPoint(best, prices) > windowsBest
    ? { ...FRESH_NUMBER_WALK }
    : parseWalkCursor(null, target.scope);
}

/** The most lookups one request of this run carries: fewer where the store asks for smaller pages. */
function mostNumbers(ctx: RunContext): number {
  return Math.min(
    MAX_NUMBERS_PER_REQUEST,
    ctx.store.pageLimits?.numbersPerRequest ?? MAX_NUMBERS_PER_REQUEST,
  );
}

/** Each walk's price per request, from the cost model, for the number walk's probe to choose by. */
function shapePrices(ctx: RunContext, target: RepositoryTarget, lease: ChunkLease): ShapePrices {
  const request = numberRequest(FRESH_NUMBER_WALK, target, lease.fieldProfile, mostNumbers(ctx));
  return {
    numbers: mostNumbers(ctx),
    numbersPoints: ctx.github.predictCost(request),
    windowSize: ctx.plan.pageSize,
    windows: ctx.plan.windowsPerRequest,
    windowsPoints: ctx.plan.pointsPerPage,
  };
}

async function runChunk(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: ChunkLease,
  size: WalkSizes,
  pacer: RoundPacer,
  report: RepositoryReport,
): Promise<ChunkResult> {
  const token = lease.fencingToken;
  let expected = lease.cursor;
  const prices = shapePrices(ctx, target, lease);
  let cursor = startCursor(ctx, target, lease, prices);
  // no probe when its answer could not change the choice (see probeNumbers): the window walk at once
  if (isNumberWalkCursor(cursor) && cursor.max === null && pacer.probeFor(ctx, report, 1, 1) === 0)
    cursor = parseWalkCursor(null, target.scope);
  let pages = 0;
  // the lease's heartbeat also keeps its run alive
  const heartbeat = beatWhileWaiting(() => ctx.store.heartbeat(lease.chunkId, token, ctx.leaseSeconds));
  const fetchNumbers = async (from: NumberWalkCursor): Promise<Fetched> => {
    // when time binds, a round is several full requests in flight at once: more numbers, the same points each
    const count = size.numbers.current;
    const left = from.max === null ? 1 : Math.ceil((from.max - from.next + 1) / count);
    const parallel = pacer.parallelFor(ctx, left);
    // the probe asks for the fewest lookups when time binds (see probeNumbers)
    const probe = (n: number) => Math.max(1, pacer.probeFor(ctx, report, n, MIN_NUMBERS_PER_REQUEST));
    const build = (n: number) =>
      numberRequest(from, target, lease.fieldProfile, from.max === null ? probe(n) : n * parallel);
    const started = ctx.clock.now();
    const page = await fetchRound(ctx, size.numbers, build, parallel, heartbeat);
    pacer.observedNumbers(ctx.clock.now() - started);
    return { page, cursor: from };
  };
  const fetchNext = async (from: AnyWalkCursor): Promise<Fetched> => {
    if (isNumberWalkCursor(from)) {
      try {
        return await fetchNumbers(from);
      } catch (error) {
        if (!(error instanceof GitHubError) || !PROBE_REFUSALS.has(error.kind)) throw error;
        // Refused outright, not timed out: the probe by an API without lookups by number (an older GitHub
        // Enterprise Server, an imitation), whose place the window walk takes (the probe stored nothing); or a
        // grown request by one that caps lookups per query, where half the size goes on.
        const probe = from.max === null;
        const capped = !probe && error.kind === 'invalid' && size.numbers.current > FIRST_NUMBERS_PER_REQUEST;
        if (!probe && !capped) throw error;
        if (capped) size.numbers.capBelowCurrent();
        ctx.record({
          severity: 'warning',
          repository: target.fullName,
          kind: error.kind,
          message: probe
            ? `lookups by number were refused, so the walk goes by windows: ${error.message}`
            : `GitHub refused a request of many lookups, so they go ${size.numbers.current} at a time: ${error.message}`,
          chunkId: lease.chunkId,
        });
        return fetchNext(probe ? parseWalkCursor(null, target.scope) : from);
      }
    }
    const build = (windowSize: number) =>
      walkRequest(from, target, lease.fieldProfile, windowSize, ctx.plan.windowsPerRequest, target.scope);
    const round = build(size.windows.current);
    const segments = pacer.segmentsFor(
      ctx,
      round,
      report,
      round.windows.length * size.windows.current,
      (left) => roundsLeft(from, size.windows.current, left, target.scope),
    );
    const started = ctx.clock.now();
    const page = await fetchRound(ctx, size.windows, build, segments, heartbeat);
    pacer.observedWindows(ctx.clock.now() - started, segments);
    return { page, cursor: from };
  };

  const advance = (from: AnyWalkCursor, page: PageResult): AnyStep => {
    if (!isNumberWalkCursor(from)) return advanceWalk(from, page, target.scope);
    if (!page.numbers) throw new Error('a number walk request came back without its numbers');
    const probed = page.numbers.range.count;
    const step = advanceNumbers(from, page.numbers, page.totalCount, (figures) =>
      numbersWin(
        figures,
        { ...prices, numbers: reachableNumbers(probed, pacer.requestMs, prices.numbers) },
        {
          timeLeftMs: ctx.deadline - ctx.clock.now(),
          msPerNumber: pacer.requestMs / Math.max(1, probed),
          spendablePoints: ctx.ledger.remainingPoints() - ctx.ledger.reserve,
        },
      ),
    );
    // the probe chose windows: the partitioned walk starts from scratch (the probe's pull requests are stored)
    return { ...step, next: step.next ?? parseWalkCursor(null, target.scope) };
  };

  /**
   * A step's commits, one after another, each compare-and-set on the cursor the one before left: one, or for a
   * number walk's page larger than the store takes at once, several (splitNumberStep). The page's points and
   * skipped nodes go with the first.
   */
  const commitParts = async (from: AnyWalkCursor, step: AnyStep, page: PageResult) => {
    const max = ctx.store.pageLimits?.prsPerCommit;
    const next = step.next;
    const parts =
      max && isNumberWalkCursor(from) && isNumberWalkCursor(next)
        ? splitNumberStep(from, { ...step, next }, max)
        : [step];
    let inserted = 0;
    let updated = 0;
    let result: CommitPageResult | undefined;
    for (const [index, part] of parts.entries()) {
      result = await ctx.store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: token,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: part.next as unknown as Record<string, unknown>,
        prs: part.prs,
        pointsSpent: index === 0 ? page.rateLimit.cost : 0,
        skippedNodes: index === 0 ? page.skippedNodes : 0,
        githubTotalCount: page.totalCount,
        done: part.done,
        leaseSeconds: ctx.leaseSeconds,
        children: pageChildren(page, part.prs),
      });
      expected = part.next as unknown as Record<string, unknown>;
      inserted += result.inserted;
      updated += result.updated;
    }
    return { ...result!, inserted, updated };
  };

  const held = { chunkId: lease.chunkId, fencingToken: token };
  let inFlight: Promise<Fetched> | null = null;
  try {
    // Follow-ups queued by earlier chunks (or a crashed holder) go out as soon as they fill a request; the walk's
    // end drains whatever is left.
    if (lease.fieldProfile === 'full')
      await drainFollowUps(ctx, target, held, false, report, heartbeat, true);
    inFlight = fetchNext(cursor);
    while (inFlight) {
      const started = ctx.clock.now();
      const fetched = await inFlight;
      inFlight = null;
      // the cursor the request went out with: the probe's, or the window walk's when the probe was refused
      cursor = fetched.cursor;
      const { page } = fetched;
      const step = advance(cursor, page);
      const commit = commitParts(cursor, step, page);
      pages++;
      // Overlap: the next request goes out while this page commits; its cursor is known from the response.
      if (!step.done && pages < ctx.pagesPerChunk && ctx.stopReason() === null && !ctx.signal.aborted) {
        inFlight = fetchNext(step.next);
        inFlight.catch(() => {}); // observed below; avoid an unhandled rejection while the commit is awaited
      }
      const result = await commit;
      cursor = step.next;
      report.prsWritten += result.inserted + result.updated;
      report.pointsSpent += page.rateLimit.cost;
      report.pages++;
      report.storedAfter = result.storedPrCount;
      report.prTotalCount = page.totalCount;
      ctx.emit({
        type: 'page.committed',
        repository: target.fullName,
        prs: step.prs.length,
        inserted: result.inserted,
        stored: result.storedPrCount,
        total: page.totalCount,
        points: page.rateLimit.cost,
        remaining: page.rateLimit.remaining,
        pageSize: isNumberWalkCursor(cursor) ? size.numbers.current : size.windows.current,
        durationMs: ctx.clock.now() - started,
      });
      if (page.skippedNodes > 0) {
        ctx.record({
          severity: 'warning',
          repository: target.fullName,
          kind: 'partial',
          message: `${page.skippedNodes} pull request node(s) without ids were skipped`,
          chunkId: lease.chunkId,
        });
      }
      // With follow-ups queued, the walk's last page leaves the backfill open; the drain that empties them closes it.
      const walkOpen = step.done && result.completed === false;
      const followed = page.children
        ? await drainFollowUps(ctx, target, held, walkOpen, report, heartbeat, !step.done)
        : null;
      if (step.done) {
        if (!walkOpen || followed?.completed) return { end: 'done' };
        break; // stopped with follow-ups queued: released below, resumed by the next claim
      }
    }
    if (ctx.signal.aborted || ctx.stopReason() !== null) {
      await ctx.store.releaseChunk(lease.chunkId, token);
      return { end: 'stopped' };
    }
    await ctx.store.completeChunk(lease.chunkId, token);
    return { end: 'allowance' };
  } catch (error) {
    if (inFlight) await (inFlight as Promise<Fetched>).catch(() => {});
    return handleChunkError(ctx, target, lease, error);
  }
}

/** The error as the policy reads it. */
function describeFailure(error: unknown): ChunkFailure {
  if (error instanceof StopRequested) return { source: 'stop' };
  if (error instanceof BudgetExhausted) return { source: 'budget', message: error.message };
  if (error instanceof StoreError) return { source: 'store', code: error.code, message: error.message };
  if (error instanceof GitHubError) {
    return {
      source: 'github',
      kind: error.kind,
      message: error.message,
      ...(error.details.resetAt ? { resetAt: error.details.resetAt } : {}),
    };
  }
  return { source: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** Carries out the chunk-error policy (chunk-error-policy.ts): the store calls, the records, the halt. */
async function handleChunkError(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: ChunkLease,
  error: unknown,
): Promise<ChunkResult> {
  const decision = onChunkError(describeFailure(error), ctx.clock.now());
  const record = (entry: ErrorRecord | null) => {
    if (!entry) return;
    const { about, ...rest } = entry;
    ctx.record({
      ...rest,
      repository: about === 'run' ? null : target.fullName,
      ...(about === 'chunk' ? { chunkId: lease.chunkId } : {}),
    });
  };
  const pause = (reason: string, resumeAt: number) =>
    ctx.store.pauseRepository(target.repositoryId, reason, new Date(resumeAt), lease);

  if ('failChunk' in decision) {
    const { error: failedWith, retryable } = decision.failChunk;
    const answer = await ctx.store.failChunk({
      chunkId: lease.chunkId,
      fencingToken: lease.fencingToken,
      error: failedWith.message,
      retryable,
      maxFailures: DEFAULTS.chunkMaxFailures,
    });
    const next = afterChunkFailed(answer, failedWith, ctx, ctx.clock.now());
    if (next.pause) await pause(next.pause.reason, next.pause.resumeAt);
    record(next.record);
    return { end: next.end, ...(next.retryAt !== undefined ? { retryAt: next.retryAt } : {}) };
  }
  const { action } = decision;
  switch (action.kind) {
    case 'release':
      await ctx.store.releaseChunk(lease.chunkId, lease.fencingToken).catch(() => {});
      break;
    case 'pause-repository':
      await pause(action.reason, action.resumeAt);
      break;
    case 'fail-repository':
      await ctx.store.failBackfill(target.repositoryId, action.reason, lease);
      break;
    case 'nothing':
      break;
  }
  record(decision.record);
  if (decision.halt !== null) ctx.halt(decision.halt);
  return { end: decision.end };
}
