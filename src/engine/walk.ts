/**
 * The two-ended walk. One request carries a forward window (oldest first) and a backward window (newest first) of
 * the same CREATED_AT-ordered list: two connections cost the same single point as one, so a point buys twice the
 * pull requests. The walk is done when the windows meet or either runs out. Pull requests created after the first
 * backward window, and any that changed while the walk went on, are caught by the incremental refresh that starts
 * from the backfill's watermark — so the walk never needs to revisit its tail.
 */
import type { PullRequestRecord } from '../domain/pull-request.ts';
import type { PageRequest, PageResult } from '../github/types.ts';
import type { CursorState } from '../store/types.ts';

interface Frontier {
  id: string;
  createdAt: string;
}

export interface WalkCursor {
  v: 1;
  after: string | null;
  before: string | null;
  /** the last node the forward window has seen and the first the backward one has seen, to detect the meeting */
  forwardEdge: Frontier | null;
  backwardEdge: Frontier | null;
}

export function parseWalkCursor(state: CursorState): WalkCursor {
  if (state === null) return { v: 1, after: null, before: null, forwardEdge: null, backwardEdge: null };
  if (state.v !== 1)
    throw new Error(`unknown cursor state version ${String(state.v)}: upgrade progressive-backfill`);
  return state as unknown as WalkCursor;
}

export function walkRequest(
  cursor: WalkCursor,
  repo: { owner: string; name: string },
  profile: PageRequest['profile'],
  windowSize: number,
  windows: 1 | 2,
): PageRequest {
  return {
    owner: repo.owner,
    name: repo.name,
    profile,
    forward: { first: windowSize, after: cursor.after },
    ...(windows === 2 ? { backward: { last: windowSize, before: cursor.before } } : {}),
  };
}

export interface WalkStep {
  prs: PullRequestRecord[];
  next: WalkCursor;
  done: boolean;
}

const edge = (pr: PullRequestRecord): Frontier => ({ id: pr.node_id, createdAt: pr.created_at });

export function advanceWalk(cursor: WalkCursor, page: PageResult): WalkStep {
  const forward = page.forward?.nodes ?? [];
  const backward = page.backward?.nodes ?? [];
  const forwardEnded = page.forward ? !page.forward.hasMore : false;
  const backwardEnded = page.backward ? !page.backward.hasMore : false;

  const backwardEdge = backward[0] ? edge(backward[0]) : cursor.backwardEdge;
  const forwardLast = forward.at(-1);
  const forwardEdge = forwardLast ? edge(forwardLast) : cursor.forwardEdge;

  const met =
    crossed(forward, cursor.backwardEdge ?? (backward[0] ? edge(backward[0]) : null)) ||
    crossed(backward, cursor.forwardEdge, true) ||
    sharesNode(forward, backward);

  // Where the windows meet, the part of a window that runs into the other walker's ground is already stored.
  const fresh = [
    ...forward.filter((pr) => !crossed([pr], cursor.backwardEdge)),
    ...backward.filter((pr) => !crossed([pr], cursor.forwardEdge, true)),
  ];
  const byId = new Map<string, PullRequestRecord>();
  for (const pr of fresh) byId.set(pr.github_id, pr);

  return {
    prs: [...byId.values()],
    done: forwardEnded || backwardEnded || met,
    next: {
      v: 1,
      after: page.forward?.cursor ?? cursor.after,
      before: page.backward ? (page.backward.cursor ?? cursor.before) : cursor.before,
      forwardEdge,
      backwardEdge,
    },
  };
}

/** Has a window run into the other walker's edge? Node identity first; creation time covers a deleted edge node. */
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
