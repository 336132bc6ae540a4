/**
 * The partitioned two-ended walk. `pullRequests(states: [OPEN])`, `[CLOSED]` and `[MERGED]` partition a repository
 * exactly, and each partition is walked from both ends of its CREATED_AT order: a forward window (oldest first) and
 * a backward window (newest first), up to six windows in one request. GitHub prices a request by its connections,
 * not its nodes, so six windows of 100 cost the single point one does (core profile). A partition is done when its
 * windows meet or either runs out, and its windows close; the walk is done when every partition is.
 *
 * A pull request that changes state mid-walk may leave a partition not yet walked for one already walked; its
 * `updatedAt` moved, so the incremental refresh that starts from the backfill's watermark stores it, as it does
 * pull requests created after the first backward window. The walk never needs to revisit anything.
 *
 * A scope narrows the walk: its states are the partitions walked, its base goes into every window (the request's
 * `baseRefName`), and its `since` walks each partition from the newest end only, to the first pull request created
 * before it.
 */
import type { PullRequestRecord, PullRequestState } from '../domain/pull-request.ts';
import { type BackfillScope, createdBefore, scopeStates, WHOLE_REPOSITORY } from '../domain/scope.ts';
import type { PageRequest, PageResult, PageWindow, WalkWindowRequest } from '../github/types.ts';
import type { CursorState } from '../store/types.ts';

/** Three partitions, each walked from both ends. */
export const MAX_WALK_WINDOWS = 6;

interface Frontier {
  id: string;
  createdAt: string;
}

export interface PartitionPosition {
  /** the partition; null for the whole repository (a walk begun before partitions, carried on as it was) */
  state: PullRequestState | null;
  after: string | null;
  before: string | null;
  /** the last node the forward window has seen and the first the backward one has seen, to detect the meeting */
  forwardEdge: Frontier | null;
  backwardEdge: Frontier | null;
  /** pull requests taken from the partition so far, and GitHub's latest count of it: roughly what is left */
  taken: number;
  total: number | null;
  done: boolean;
}

export interface WalkCursor {
  v: 2;
  partitions: PartitionPosition[];
}

interface WalkCursorV1 {
  v: 1;
  after: string | null;
  before: string | null;
  forwardEdge: Frontier | null;
  backwardEdge: Frontier | null;
}

const start = (state: PullRequestState | null): PartitionPosition => ({
  state,
  after: null,
  before: null,
  forwardEdge: null,
  backwardEdge: null,
  taken: 0,
  total: null,
  done: false,
});

export function parseWalkCursor(state: CursorState, scope: BackfillScope = WHOLE_REPOSITORY): WalkCursor {
  if (state === null) return { v: 2, partitions: scopeStates(scope).map(start) };
  if (state.v === 1) {
    const { after, before, forwardEdge, backwardEdge } = state as unknown as WalkCursorV1;
    return { v: 2, partitions: [{ ...start(null), after, before, forwardEdge, backwardEdge }] };
  }
  if (state.v !== 2)
    throw new Error(`unknown cursor state version ${String(state.v)}: upgrade progressive-backfill`);
  return state as unknown as WalkCursor;
}

function windowKey(partition: PartitionPosition, direction: 'forward' | 'backward'): string {
  return `${partition.state?.toLowerCase() ?? 'all'}${direction === 'forward' ? 'Forward' : 'Backward'}`;
}

function left(partition: PartitionPosition): number {
  return partition.total === null ? Number.POSITIVE_INFINITY : Math.max(0, partition.total - partition.taken);
}

/**
 * Up to `maxWindows` windows over the partitions not yet done: each gets its forward window first, then its
 * backward one, the partitions with most left to walk first, so a request one window short of six still carries
 * the largest partitions from both ends.
 */
export function walkRequest(
  cursor: WalkCursor,
  repo: { owner: string; name: string },
  profile: PageRequest['profile'],
  windowSize: number,
  maxWindows: number,
  scope: BackfillScope = WHOLE_REPOSITORY,
): PageRequest {
  const open = cursor.partitions.filter((p) => !p.done).sort((a, b) => left(b) - left(a));
  const windows: WalkWindowRequest[] = [];
  // from the oldest end a `since` walk would read everything before it: such a walk goes newest first only
  const directions = scope.since === undefined ? (['forward', 'backward'] as const) : (['backward'] as const);
  for (const direction of directions) {
    for (const partition of open) {
      if (windows.length >= maxWindows) break;
      windows.push({
        key: windowKey(partition, direction),
        direction,
        ...(partition.state ? { states: [partition.state] } : {}),
        size: windowSize,
        cursor: direction === 'forward' ? partition.after : partition.before,
      });
    }
  }
  return { owner: repo.owner, name: repo.name, profile, windows, scope };
}

/**
 * Rounds the walk still needs at the least, however many windows a request carries: a partition is walked by its
 * two windows only (one for a `since` walk), `windowSize` each a round, so its largest partition bounds the walk. A
 * partition whose size no window has answered yet counts as all `prsLeft` (the repository's): the worst case.
 */
export function roundsLeft(
  cursor: WalkCursor,
  windowSize: number,
  prsLeft: number,
  scope: BackfillScope = WHOLE_REPOSITORY,
): number {
  const perRound = windowSize * (scope.since === undefined ? 2 : 1);
  const open = cursor.partitions.filter((p) => !p.done);
  const largest = Math.max(0, ...open.map((p) => Math.min(left(p), Math.max(0, prsLeft))));
  return Math.ceil(largest / Math.max(1, perRound));
}

export interface WalkStep {
  prs: PullRequestRecord[];
  next: WalkCursor;
  done: boolean;
}

export function advanceWalk(
  cursor: WalkCursor,
  page: PageResult,
  scope: BackfillScope = WHOLE_REPOSITORY,
): WalkStep {
  const byId = new Map<string, PullRequestRecord>();
  const partitions = cursor.partitions.map((partition) => {
    if (partition.done) return partition;
    const forward = page.windows[windowKey(partition, 'forward')];
    const backward = page.windows[windowKey(partition, 'backward')];
    if (!forward && !backward) return partition;
    const { fresh, next } =
      scope.since === undefined
        ? advancePartition(partition, forward, backward)
        : advanceSince(partition, backward, scope.since);
    for (const pr of fresh) byId.set(pr.github_id, pr);
    return next;
  });
  return {
    prs: [...byId.values()],
    done: partitions.every((partition) => partition.done),
    next: { v: 2, partitions },
  };
}

const edge = (pr: PullRequestRecord): Frontier => ({ id: pr.node_id, createdAt: pr.created_at });

function advancePartition(
  position: PartitionPosition,
  forwardWindow: PageWindow | undefined,
  backwardWindow: PageWindow | undefined,
): { fresh: PullRequestRecord[]; next: PartitionPosition } {
  const forward = forwardWindow?.nodes ?? [];
  const backward = backwardWindow?.nodes ?? [];
  const forwardEnded = forwardWindow ? !forwardWindow.hasMore : false;
  const backwardEnded = backwardWindow ? !backwardWindow.hasMore : false;

  const backwardEdge = backward[0] ? edge(backward[0]) : position.backwardEdge;
  const forwardLast = forward.at(-1);
  const forwardEdge = forwardLast ? edge(forwardLast) : position.forwardEdge;

  const met =
    crossed(forward, position.backwardEdge ?? (backward[0] ? edge(backward[0]) : null)) ||
    crossed(backward, position.forwardEdge, true) ||
    sharesNode(forward, backward);

  // Where the windows meet, the part of a window that runs into the other walker's ground is already stored.
  const fresh = new Map<string, PullRequestRecord>();
  for (const pr of forward) if (!crossed([pr], position.backwardEdge)) fresh.set(pr.github_id, pr);
  for (const pr of backward) if (!crossed([pr], position.forwardEdge, true)) fresh.set(pr.github_id, pr);

  return {
    fresh: [...fresh.values()],
    next: {
      state: position.state,
      after: forwardWindow?.cursor ?? position.after,
      before: backwardWindow ? (backwardWindow.cursor ?? position.before) : position.before,
      forwardEdge,
      backwardEdge,
      taken: position.taken + fresh.size,
      total: forwardWindow?.totalCount ?? backwardWindow?.totalCount ?? position.total,
      done: forwardEnded || backwardEnded || met,
    },
  };
}

/** A newest-first walk down to `since`: done at the first pull request created before it, which is not kept. */
function advanceSince(
  position: PartitionPosition,
  backwardWindow: PageWindow | undefined,
  since: string,
): { fresh: PullRequestRecord[]; next: PartitionPosition } {
  if (!backwardWindow) return { fresh: [], next: position };
  const fresh = backwardWindow.nodes.filter((pr) => !createdBefore(pr, since));
  const first = backwardWindow.nodes[0];
  return {
    fresh,
    next: {
      ...position,
      before: backwardWindow.cursor ?? position.before,
      backwardEdge: first ? edge(first) : position.backwardEdge,
      taken: position.taken + fresh.length,
      total: backwardWindow.totalCount,
      done: !backwardWindow.hasMore || fresh.length < backwardWindow.nodes.length,
    },
  };
}

/** Has a window run into the other walker's edge? Node identity first; creation time covers a departed edge node. */
function crossed(nodes: PullRequestRecord[], other: Frontier | null, backward = false): boolean {
  if (!other) return false;
  return nodes.some(
    (pr) =>
      pr.node_id === other.id ||
      (backward ? pr.created_at < other.createdAt : pr.created_at > other.createdAt),
  );
}

function sharesNode(a: PullRequestRecord[], b: PullRequestRecord[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const ids = new Set(a.map((pr) => pr.node_id));
  return b.some((pr) => ids.has(pr.node_id));
}
