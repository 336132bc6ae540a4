/**
 * Incremental refresh: walk pull requests newest-update first until the watermark, so merges, closes and edits
 * made after a page was stored — and pull requests opened after the backfill began — reach the database.
 */
import { inScope } from '../domain/scope.ts';
import { UPDATED_WINDOW } from '../github/queries.ts';
import type { RunContext } from './context.ts';
import { fetchWithRetry } from './fetch-page.ts';
import { drainFollowUps, pageChildren } from './follow-ups.ts';
import { beatWhileWaiting } from './heartbeat.ts';
import { AdaptivePageSize } from './page-size.ts';
import type { RepositoryTarget } from './repository-worker.ts';
import type { RepositoryReport } from './types.ts';

/** The watermark starts on our clock (start of the backfill) while updatedAt is GitHub's: allow for skew. */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function refreshRepository(
  ctx: RunContext,
  target: RepositoryTarget,
  watermark: string,
  report: RepositoryReport,
): Promise<void> {
  const since = new Date(Date.parse(watermark) - CLOCK_SKEW_MS).toISOString();
  const size = new AdaptivePageSize(100);
  let after: string | null = null;
  let newest: string | null = null;
  // a refresh holds no lease: while it waits (for the rate-limit reset, say), the run's own heartbeat keeps it alive
  const runId = ctx.runId;
  const heartbeat = beatWhileWaiting(async () => {
    if (runId !== null) await ctx.store.heartbeatRun(runId);
  });
  if (ctx.profile === 'full') await drainFollowUps(ctx, target, null, false, report, heartbeat);
  while (ctx.stopReason() === null) {
    const { page } = await fetchWithRetry(
      ctx,
      size,
      (first) => ({ owner: target.owner, name: target.name, profile: ctx.profile, first, after }),
      (request) => ctx.github.fetchUpdatedPullRequests(request),
      heartbeat,
    );
    const nodes = page.windows[UPDATED_WINDOW]?.nodes ?? [];
    newest ??= nodes[0]?.updated_at ?? watermark;
    const recent = nodes.filter((pr) => pr.updated_at >= since);
    const reachedWatermark = recent.length < nodes.length || !page.windows[UPDATED_WINDOW]?.hasMore;
    // the refresh lists every recently updated pull request; a scoped backfill keeps those of its scope
    const fresh = recent.filter((pr) => inScope(pr, target.scope));
    const result = await ctx.store.commitRefresh({
      repositoryId: target.repositoryId,
      runId: ctx.runId,
      prs: fresh,
      pointsSpent: page.rateLimit.cost,
      newWatermark: reachedWatermark ? newest : null,
      children: pageChildren(page, fresh),
    });
    // the children of pull requests that changed: new and edited reviews and comments, deleted ones removed
    if (page.children) await drainFollowUps(ctx, target, null, false, report, heartbeat);
    report.prsWritten += result.inserted + result.updated;
    report.pointsSpent += page.rateLimit.cost;
    report.pages++;
    report.storedAfter += result.inserted;
    if (reachedWatermark) {
      if (report.outcome !== 'completed') report.outcome = 'refreshed';
      return;
    }
    after = page.windows[UPDATED_WINDOW]?.cursor ?? null;
  }
}
