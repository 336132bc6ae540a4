/**
 * Incremental refresh: walk pull requests newest-update first down to the watermark, so merges, closes and edits
 * made after a page was stored — and pull requests opened after the backfill began — reach the database.
 *
 * The refresh's position is stored with every page (backfill_commit_refresh), like the walk's cursor: a run or a
 * tick that stops before the watermark leaves the next one a place to resume, so a refresh of more updated pull
 * requests than one run can page through still finishes. Resuming is exact: GitHub's cursor of the UPDATED_AT
 * ordering is a (updatedAt, id) position, so a pull request below it that did not change is still below it, and one
 * that changed after the refresh began moved above it with an updatedAt later than the refresh's target (the newest
 * updatedAt when it began): the next refresh, which walks down to that target, lists it.
 */
import { inScope } from '../domain/scope.ts';
import { UPDATED_WINDOW } from '../github/queries.ts';
import type { PageResult } from '../github/types.ts';
import { StoreError } from '../store/types.ts';
import type { RunContext } from './context.ts';
import { fetchWithRetry } from './fetch-page.ts';
import { drainFollowUps, pageChildren } from './follow-ups.ts';
import { beatWhileWaiting } from './heartbeat.ts';
import { AdaptivePageSize } from './page-size.ts';
import type { RepositoryTarget } from './repository-worker.ts';
import type { RepositoryReport } from './types.ts';

/** The watermark starts on our clock (start of the backfill) while updatedAt is GitHub's: allow for skew. */
const CLOCK_SKEW_MS = 5 * 60_000;

type RefreshNode = PageResult['windows'][string]['nodes'][number];

export interface RefreshStep {
  /** listed pull requests of the backfill's scope, updated since the watermark: stored */
  keep: RefreshNode[];
  /** listed pull requests updated since the watermark that are outside the scope: deleted if stored */
  removed: RefreshNode[];
  /** where the refresh goes on; null when this page reached the watermark */
  next: string | null;
}

/**
 * What one refresh page means, from plain data: which pull requests to keep and remove, and whether the refresh
 * reached `floor` (the watermark less the clock skew) — a node older than it, or the end of the list.
 */
export function refreshStep(
  window: { nodes: readonly RefreshNode[]; hasMore: boolean; cursor: string | null } | undefined,
  floor: string,
  scope: Parameters<typeof inScope>[1],
): RefreshStep {
  const nodes = window?.nodes ?? [];
  const recent = nodes.filter((pr) => Date.parse(pr.updated_at) >= Date.parse(floor));
  const reached = recent.length < nodes.length || !window?.hasMore;
  if (!reached && !window?.cursor)
    throw new Error('GitHub listed more pull requests but gave no cursor to them');
  // the refresh lists every recently updated pull request; a scoped backfill keeps those of its scope and drops
  // the stored ones that left it (merged while the scope is open ones, retargeted to another base)
  return {
    keep: recent.filter((pr) => inScope(pr, scope)),
    removed: recent.filter((pr) => !inScope(pr, scope)),
    next: reached ? null : (window?.cursor ?? null),
  };
}

export async function refreshRepository(
  ctx: RunContext,
  target: RepositoryTarget,
  report: RepositoryReport,
): Promise<void> {
  const position = await ctx.store.refreshPosition(target.repositoryId);
  if (position.watermark === null) return; // never walked: there is nothing to refresh yet
  const floor = new Date(Date.parse(position.watermark) - CLOCK_SKEW_MS).toISOString();
  const size = new AdaptivePageSize(100);
  let expected = position.cursor;
  let targetWatermark = position.targetWatermark;
  // no lease: a refresh is fenced by its stored position (a worker that finds it moved stops), and this run's
  // heartbeat keeps it alive while it waits (for the rate-limit reset, say)
  const holder = `${ctx.workerId}#${ctx.runId ?? 'dry'}`;
  const runId = ctx.runId;
  const heartbeat = beatWhileWaiting(async () => {
    if (runId !== null) await ctx.store.heartbeatRun(runId);
  });
  // until it reaches the watermark the refresh is work left: a run that stops first says so (and the next resumes)
  if (report.outcome !== 'completed') report.outcome = 'in_progress';
  // children of pull requests an earlier refresh listed, still to be followed up: when that refresh already
  // reached its watermark, finishing them finishes it, and the next refresh comes on schedule
  const leftover = await drainFollowUps(ctx, target, null, false, report, heartbeat);
  if (leftover.drained && leftover.requests > 0 && expected === null) {
    if (report.outcome !== 'completed') report.outcome = 'refreshed';
    return;
  }
  while (ctx.stopReason() === null) {
    const after = expected;
    const { page } = await fetchWithRetry(
      ctx,
      size,
      (first) => ({ owner: target.owner, name: target.name, profile: ctx.profile, first, after }),
      (request) => ctx.github.fetchUpdatedPullRequests(request),
      heartbeat,
    );
    const window = page.windows[UPDATED_WINDOW];
    targetWatermark ??= window?.nodes[0]?.updated_at ?? position.watermark;
    const step = refreshStep(window, floor, target.scope);
    let result: Awaited<ReturnType<typeof ctx.store.commitRefresh>>;
    try {
      result = await ctx.store.commitRefresh({
        repositoryId: target.repositoryId,
        runId: ctx.runId,
        expectedCursor: expected,
        nextCursor: step.next,
        targetWatermark,
        holder,
        prs: step.keep,
        removed: step.removed,
        pointsSpent: page.rateLimit.cost,
        children: pageChildren(page, step.keep),
      });
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'cursor_conflict')) throw error;
      // another worker moved this refresh on (or finished it) since: it carries on, this one stops
      report.pointsSpent += page.rateLimit.cost;
      if (report.outcome === 'in_progress') report.outcome = 'skipped';
      report.detail = 'another worker is refreshing it';
      return;
    }
    // the children of pull requests that changed: new and edited reviews and comments, deleted ones removed
    if (page.children) await drainFollowUps(ctx, target, null, false, report, heartbeat);
    report.prsWritten += result.inserted + result.updated;
    report.pointsSpent += page.rateLimit.cost;
    report.pages++;
    report.storedAfter += result.inserted - result.removed;
    if (step.next === null) {
      if (report.outcome !== 'completed') report.outcome = 'refreshed';
      return;
    }
    expected = step.next;
  }
}
