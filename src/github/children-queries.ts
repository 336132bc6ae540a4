/**
 * The GraphQL selections for a pull request's children, and the follow-up query that pages through whatever did
 * not fit inline.
 *
 * Cost (GitHub's formula: every connection costs one request per parent it is resolved for, requests / 100,
 * rounded): a leaf connection (labels, reviews without their comments, conversation comments) costs one request
 * per pull request whatever its `first`, so the page takes 100 of each inline — the most it may. Review comments
 * are a connection under each review: inline they would cost `first` of the reviews for every pull request
 * (R × PRs requests, spent on PRs without reviews too), while a follow-up costs one request per review that
 * exists. So reviews come inline without their comments, and each review's comments are one aliased
 * `node(id:)` follow-up, packed up to FOLLOW_UP_REQUESTS per query — the floor the formula allows.
 */

import { FOLLOW_UP_KINDS, type FollowUpKind, type FollowUpTask } from '../domain/children.ts';

/** `first` for each connection the page takes inline and for every follow-up page. */
export const CHILD_PAGE_SIZE = 100;

/**
 * Follow-up connections per query. Each is one request; 149 requests round to 1 point, 150 to 2 (GitHub rounds
 * to the nearest point), so a query of 149 costs what one of 100 does.
 */
export const FOLLOW_UP_REQUESTS = 149;

// EnterpriseUserAccount is the one Actor without a databaseId, hence no inline fragment for it.
export const ACTOR_IDENTITY = `__typename
      login
      ... on User { databaseId }
      ... on Bot { databaseId }
      ... on Mannequin { databaseId }
      ... on Organization { databaseId }`;

export const CHILD_AUTHOR_SELECTION = `author {
        ${ACTOR_IDENTITY}
        avatarUrl
        url
      }`;

const PAGE_INFO = 'pageInfo { endCursor hasNextPage }';

// Only fullDatabaseId: the 32-bit databaseId of reviews and review comments is deprecated and overflows.
export const REVIEW_SELECTION = `id
        fullDatabaseId
        state
        body
        submittedAt
        createdAt
        updatedAt
        commit { oid }
        ${CHILD_AUTHOR_SELECTION}`;

export const ISSUE_COMMENT_SELECTION = `id
        fullDatabaseId
        body
        createdAt
        updatedAt
        ${CHILD_AUTHOR_SELECTION}`;

export const REVIEW_COMMENT_SELECTION = `id
        fullDatabaseId
        body
        createdAt
        updatedAt
        path
        line
        originalLine
        replyTo { fullDatabaseId }
        ${CHILD_AUTHOR_SELECTION}`;

/**
 * The children a pull-request page takes inline (the `full` profile). `author { avatarUrl url }` merges with the
 * core fields' `author`, so the pull request's author becomes a complete contributor too.
 */
export const INLINE_CHILDREN_FIELDS = `author { avatarUrl url }
    labels(first: ${CHILD_PAGE_SIZE}) { totalCount ${PAGE_INFO} nodes { name } }
    reviewDecision
    reviews(first: ${CHILD_PAGE_SIZE}) {
      totalCount
      ${PAGE_INFO}
      nodes {
        ${REVIEW_SELECTION}
      }
    }
    comments(first: ${CHILD_PAGE_SIZE}) {
      totalCount
      ${PAGE_INFO}
      nodes {
        ${ISSUE_COMMENT_SELECTION}
      }
    }`;

/** The next page of one child connection of a pull request or review; its connection is always under `page`. */
const followUpPage =
  (on: 'PullRequest' | 'PullRequestReview', connection: string, nodes: string) => (after: string) =>
    `... on ${on} {
      page: ${connection}(first: ${CHILD_PAGE_SIZE}, after: ${after}) {
        ${PAGE_INFO}
        nodes {
        ${nodes}
        }
      }
    }`;

const FOLLOW_UP_SELECTIONS: Record<FollowUpKind, (after: string) => string> = {
  labels: (after) => `... on PullRequest {
      page: labels(first: ${CHILD_PAGE_SIZE}, after: ${after}) { ${PAGE_INFO} nodes { name } }
    }`,
  reviews: followUpPage('PullRequest', 'reviews', REVIEW_SELECTION),
  comments: followUpPage('PullRequest', 'comments', ISSUE_COMMENT_SELECTION),
  review_comments: followUpPage('PullRequestReview', 'comments', REVIEW_COMMENT_SELECTION),
};

/** Alias of the k-th follow-up in a query; its connection is always under `page`. */
export function followUpAlias(k: number): string {
  return `f${k}`;
}

const followUpCache = new Map<string, string>();

/**
 * One query paging several connections, each from its own cursor: `f<k>: node(id: $i<k>)` with the k-th kind's
 * connection aliased `page`. The document depends only on the sequence of kinds, so it is cached by it.
 */
export function followUpQuery(kinds: readonly FollowUpKind[]): string {
  if (kinds.length < 1 || kinds.length > FOLLOW_UP_REQUESTS) {
    throw new RangeError(
      `a follow-up query takes 1 to ${FOLLOW_UP_REQUESTS} connections, got ${kinds.length}`,
    );
  }
  const key = kinds.join(',');
  let query = followUpCache.get(key);
  if (query === undefined) {
    const variables = kinds.flatMap((_, k) => [`$i${k}: ID!`, `$a${k}: String`]);
    const fields = kinds.map(
      (kind, k) => `${followUpAlias(k)}: node(id: $i${k}) {
    ${FOLLOW_UP_SELECTIONS[kind](`$a${k}`)}
  }`,
    );
    query = `query ChildPages(${variables.join(', ')}) {
  ${fields.join('\n  ')}
  rateLimit { cost remaining resetAt limit used nodeCount }
}`;
    // a document of 149 follow-ups is 90 KB: keep a few mixes, not hundreds
    if (followUpCache.size >= 32) followUpCache.clear();
    followUpCache.set(key, query);
  }
  return query;
}

export function followUpVariables(
  pages: readonly { nodeId: string; cursor: string | null }[],
): Record<string, string | null> {
  const variables: Record<string, string | null> = {};
  pages.forEach((page, k) => {
    variables[`i${k}`] = page.nodeId;
    variables[`a${k}`] = page.cursor;
  });
  return variables;
}

/**
 * The follow-up query for these tasks, with their variables and each task's alias (in the tasks' order). The
 * connections are grouped by kind, so the document depends only on how many of each kind there are: batches of
 * the same mix share one document, which GitHub and our own caches see as one query.
 */
export function followUpRequestQuery(tasks: readonly FollowUpTask[]): {
  query: string;
  variables: Record<string, string | null>;
  aliases: string[];
} {
  const order = tasks
    .map((task, index) => ({ task, index }))
    .sort(
      (a, b) =>
        FOLLOW_UP_KINDS.indexOf(a.task.kind) - FOLLOW_UP_KINDS.indexOf(b.task.kind) || a.index - b.index,
    );
  const aliases: string[] = new Array(tasks.length);
  order.forEach(({ index }, k) => {
    aliases[index] = followUpAlias(k);
  });
  return {
    query: followUpQuery(order.map(({ task }) => task.kind)),
    variables: followUpVariables(order.map(({ task }) => ({ nodeId: task.node_id, cursor: task.cursor }))),
    aliases,
  };
}

/** GitHub's answer for a follow-up whose pull request or review no longer exists: NOT_FOUND at `f<k>`. */
export function isGoneNode(error: { type?: string; path?: readonly (string | number)[] }): boolean {
  return error.type === 'NOT_FOUND' && typeof error.path?.[0] === 'string' && /^f\d+$/.test(error.path[0]);
}
