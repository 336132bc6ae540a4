/**
 * Follow-ups: the connections of pull requests and reviews that did not fit in the page that listed them (every
 * review's comments, and any labels, reviews or conversation comments past the first 100). They are queued in SQL
 * with the page that revealed them and drained here, FOLLOW_UP_REQUESTS connections per request (one point), each
 * page committed with its own cursor. Inside a backfill they run under the chunk's lease, so a worker that lost it
 * cannot write; a crash resumes at the queued cursors.
 */
import type { ContributorRecord } from '../domain/children.ts';
import type { PullRequestRecord } from '../domain/pull-request.ts';
import { FOLLOW_UP_REQUESTS } from '../github/children-queries.ts';
import type { FollowUpOutcome } from '../github/map-children.ts';
import type { FollowUpRequest, PageResult } from '../github/types.ts';
import type { FollowUpPage, PageChildren } from '../store/types.ts';
import type { RunContext } from './context.ts';
import { fetchWithRetry } from './fetch-page.ts';
import { AdaptivePageSize } from './page-size.ts';
import type { RepositoryTarget } from './repository-worker.ts';
import type { RepositoryReport } from './types.ts';

/** The children of the pull requests a step keeps, for the store; undefined when the page brought none. */
export function pageChildren(page: PageResult, prs: readonly PullRequestRecord[]): PageChildren | undefined {
  if (!page.children) return undefined;
  const out: PageChildren = { contributors: [], reviews: [], comments: [], follow_ups: [] };
  const contributors = new Map<string, ContributorRecord>();
  for (const pr of prs) {
    const mapped = page.children.get(pr.github_id);
    if (!mapped) continue;
    for (const contributor of mapped.contributors) contributors.set(contributor.github_id, contributor);
    out.reviews.push(...mapped.reviews);
    out.comments.push(...mapped.comments);
    out.follow_ups.push(...mapped.followUps);
  }
  out.contributors = [...contributors.values()];
  return out;
}

export function followUpPage(task: FollowUpRequest['tasks'][number], outcome: FollowUpOutcome): FollowUpPage {
  return {
    kind: task.kind,
    node_id: task.node_id,
    expected_cursor: task.cursor,
    next_cursor: outcome.nextCursor,
    contributors: outcome.contributors,
    reviews: outcome.reviews,
    comments: outcome.comments,
    follow_ups: outcome.followUps,
    labels: outcome.labels[0]?.names ?? null,
  };
}

export interface DrainLease {
  chunkId: number;
  fencingToken: string;
}

export interface DrainResult {
  /** the chunk and the backfill completed (only with a lease and `walkDone`) */
  completed: boolean;
  /** nothing is queued any more */
  drained: boolean;
  /** follow-up requests sent */
  requests: number;
}

/**
 * Fetches and commits queued follow-ups until none remain or the run must stop. With `walkDone`, the commit that
 * empties the queue also completes the chunk and the backfill.
 */
export async function drainFollowUps(
  ctx: RunContext,
  target: RepositoryTarget,
  lease: DrainLease | null,
  walkDone: boolean,
  report: RepositoryReport,
  onWait?: (ms: number) => Promise<void>,
  /** leave a queue shorter than one full request for later: a request costs a point however few it carries */
  onlyFull = false,
): Promise<DrainResult> {
  const size = new AdaptivePageSize(FOLLOW_UP_REQUESTS);
  let requests = 0;
  for (;;) {
    const tasks = await ctx.store.listFollowUps(target.repositoryId, FOLLOW_UP_REQUESTS);
    if (tasks.length === 0 && !(walkDone && lease)) return { completed: false, drained: true, requests };
    if (onlyFull && !walkDone && tasks.length < FOLLOW_UP_REQUESTS)
      return { completed: false, drained: false, requests };
    if (ctx.stopReason() !== null || ctx.signal.aborted)
      return { completed: false, drained: false, requests };
    let pages: FollowUpPage[] = [];
    let points = 0;
    if (tasks.length > 0) {
      const { page, request } = await fetchWithRetry(
        ctx,
        size,
        (count) => ({ owner: target.owner, name: target.name, tasks: tasks.slice(0, count) }),
        (request: FollowUpRequest) => ctx.github.fetchFollowUps(request),
        onWait,
      );
      pages = request.tasks.map((task, k) => followUpPage(task, page.outcomes[k] as FollowUpOutcome));
      points = page.rateLimit.cost;
      requests++;
    }
    const result = await ctx.store.commitFollowUps({
      repositoryId: target.repositoryId,
      chunkId: lease?.chunkId ?? null,
      fencingToken: lease?.fencingToken ?? null,
      runId: ctx.runId,
      pages,
      pointsSpent: points,
      walkDone,
      leaseSeconds: ctx.leaseSeconds,
    });
    report.pointsSpent += points;
    if (pages.length > 0) report.pages++;
    ctx.emit({
      type: 'follow-ups.committed',
      repository: target.fullName,
      pages: result.applied,
      rows: result.written,
      remaining: result.remaining,
      points,
    });
    if (result.completed) return { completed: true, drained: true, requests };
    if (result.remaining === 0 && !(walkDone && lease)) return { completed: false, drained: true, requests };
  }
}
