/**
 * Backfills one repository: claim a chunk, then fetch → commit page after page, the next fetch already under way
 * while the current page commits. Every page lands with its cursor and progress in one transaction (the contract's
 * commit function), so stopping or crashing between any two lines loses nothing but the page in flight.
 */
import { GitHubError, type PageResult } from '../github/types.ts';
import { type ChunkLease, StoreError } from '../store/types.ts';
import type { RunContext } from './context.ts';
import { BudgetExhausted, fetchWithRetry, StopRequested } from './fetch-page.ts';
import { drainFollowUps, pageChildren } from './follow-ups.ts';
import { runHealthChecks } from './health.ts';
import { AdaptivePageSize } from './page-size.ts';
import type { RepositoryReport } from './types.ts';
import { advanceWalk, parseWalkCursor, type WalkCursor, walkRequest } from './walk.ts';

export interface RepositoryTarget {
  repositoryId: number;
  owner: string;
  name: string;
  fullName: string;
}

interface ChunkResult {
  end: ChunkEnd;
  retryAt?: number;
}

type ChunkEnd = 'done' | 'allowance' | 'stopped' | 'budget' | 'paused' | 'failed' | 'retry' | 'lost';

const HEALTH_TIMEOUT_MS = 5_000;
const WARN_DELAY_MS = 2_000;

export async function backfillRepository(
  ctx: RunContext,
  target: RepositoryTarget,
  report: RepositoryReport,
): Promise<void> {
  const size = new AdaptivePageSize(ctx.plan.pageSize);
  while (ctx.stopReason() === null) {
    const verdict = await runHealthChecks(ctx.healthChecks, HEALTH_TIMEOUT_MS);
    for (const r of verdict.results) {
      if (r.status !== 'ok') ctx.emit({ type: 'health', check: r.check, status: r.status, reason: r.reason });
    }
    if (verdict.status === 'halt') {
      ctx.halt(verdict.results.find((r) => r.status === 'halt')!.reason);
      break;
    }
    if (verdict.status === 'warn') {
      size.shrink();
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
    const { end, retryAt } = await runChunk(ctx, target, lease, size, report);
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
  cursor: WalkCursor;
}

async function runChunk(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: ChunkLease,
  size: AdaptivePageSize,
  report: RepositoryReport,
): Promise<ChunkResult> {
  const token = lease.fencingToken;
  let expected = lease.cursor;
  let cursor = parseWalkCursor(lease.cursor);
  let pages = 0;
  let waited = 0;
  const heartbeat = async (waitedMs: number) => {
    waited += waitedMs;
    if (waited < 10_000) return;
    waited = 0;
    await ctx.store.heartbeat(lease.chunkId, token, ctx.leaseSeconds);
  };
  const fetchNext = (from: WalkCursor): Promise<Fetched> =>
    fetchWithRetry(
      ctx,
      size,
      (windowSize) => walkRequest(from, target, lease.fieldProfile, windowSize, ctx.plan.windowsPerRequest),
      (request) => ctx.github.fetchPullRequests(request),
      heartbeat,
    ).then(({ page }) => ({ page, cursor: from }));

  const held = { chunkId: lease.chunkId, fencingToken: token };
  let inFlight: Promise<Fetched> | null = null;
  try {
    // Follow-ups a previous holder of the chunk left queued (a crash, a stop) come first.
    if (lease.fieldProfile === 'full') await drainFollowUps(ctx, target, held, false, report, heartbeat);
    inFlight = fetchNext(cursor);
    while (inFlight) {
      const started = ctx.clock.now();
      const { page } = await inFlight;
      inFlight = null;
      const step = advanceWalk(cursor, page);
      const commit = ctx.store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: token,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: step.next as unknown as Record<string, unknown>,
        prs: step.prs,
        pointsSpent: page.rateLimit.cost,
        skippedNodes: page.skippedNodes,
        githubTotalCount: page.totalCount,
        done: step.done,
        leaseSeconds: ctx.leaseSeconds,
        children: pageChildren(page, step.prs),
      });
      pages++;
      // Overlap: the next request goes out while this page commits; its cursor is known from the response.
      if (!step.done && pages < ctx.pagesPerChunk && ctx.stopReason() === null && !ctx.signal.aborted) {
        inFlight = fetchNext(step.next);
        inFlight.catch(() => {}); // observed below; avoid an unhandled rejection while the commit is awaited
      }
      const result = await commit;
      expected = step.next as unknown as Record<string, unknown>;
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
        pageSize: size.current,
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
        ? await drainFollowUps(ctx, target, held, walkOpen, report, heartbeat)
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

async function handleChunkError(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: ChunkLease,
  error: unknown,
): Promise<ChunkResult> {
  const token = lease.fencingToken;
  const repository = target.fullName;
  const release = () => ctx.store.releaseChunk(lease.chunkId, token).catch(() => {});

  if (error instanceof StopRequested) {
    await release();
    return { end: 'stopped' };
  }
  if (error instanceof BudgetExhausted) {
    await release();
    ctx.halt(error.message);
    return { end: 'budget' };
  }
  if (error instanceof StoreError) {
    if (error.code === 'stale_lease' || error.code === 'cursor_conflict') {
      // Our lease was recovered and handed on: the new holder owns the cursor now; nothing to undo.
      ctx.record({
        severity: 'warning',
        repository,
        kind: 'store',
        message: error.message,
        chunkId: lease.chunkId,
      });
      return { end: 'lost' };
    }
    await release();
    ctx.record({
      severity: 'critical',
      repository,
      kind: 'store',
      message: error.message,
      chunkId: lease.chunkId,
    });
    return { end: 'failed' };
  }
  if (error instanceof GitHubError) {
    if (error.kind === 'primary_rate_limit') {
      const resumeAt = new Date(
        error.details.resetAt ? Date.parse(error.details.resetAt) : ctx.clock.now() + 3_600_000,
      );
      await ctx.store.pauseRepository(target.repositoryId, 'primary rate limit reached', resumeAt);
      ctx.record({
        severity: 'warning',
        repository,
        kind: error.kind,
        message: error.message,
        chunkId: lease.chunkId,
      });
      ctx.halt('primary rate limit reached');
      return { end: 'paused' };
    }
    if (error.kind === 'auth') {
      await release();
      ctx.record({ severity: 'critical', repository: null, kind: error.kind, message: error.message });
      ctx.halt(error.message);
      return { end: 'stopped' };
    }
    if (error.kind === 'not_found' || error.kind === 'permission') {
      await ctx.store.failBackfill(target.repositoryId, error.message);
      ctx.record({
        severity: 'critical',
        repository,
        kind: error.kind,
        message: error.message,
        chunkId: lease.chunkId,
      });
      return { end: 'failed' };
    }
  }
  const kind = error instanceof GitHubError ? error.kind : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const retryable = !(error instanceof GitHubError && error.kind === 'invalid');
  const failed = await ctx.store.failChunk({
    chunkId: lease.chunkId,
    fencingToken: token,
    error: message,
    retryable,
    maxFailures: 5,
  });
  if (failed.chunkStatus === 'failed') {
    ctx.record({
      severity: 'critical',
      repository,
      kind,
      message: `gave up after repeated failures: ${message}`,
      chunkId: lease.chunkId,
    });
    return { end: 'failed' };
  }
  if (failed.consecutiveErrors >= ctx.breakerThreshold) {
    const resumeAt = new Date(ctx.clock.now() + ctx.breakerCooldownMs);
    await ctx.store.pauseRepository(
      target.repositoryId,
      `circuit breaker: ${failed.consecutiveErrors} consecutive errors`,
      resumeAt,
    );
    ctx.record({
      severity: 'warning',
      repository,
      kind,
      message: `paused until ${resumeAt.toISOString()} after ${failed.consecutiveErrors} consecutive errors: ${message}`,
    });
    return { end: 'paused' };
  }
  ctx.record({
    severity: 'warning',
    repository,
    kind,
    message: `chunk will be retried: ${message}`,
    chunkId: lease.chunkId,
  });
  return { end: 'retry', ...(failed.retryAt ? { retryAt: Date.parse(failed.retryAt) } : {}) };
}
