/**
 * What a `pull_request_review`, `pull_request_review_comment` or `issue_comment` delivery changes, decided from its
 * payload alone (REST shapes): a review or comment to write, a comment to delete, or nothing, with the reason. The
 * rows are the ones the GraphQL backfill writes (map-children.ts) for the same review or comment, with two gaps REST
 * leaves and how they are filled:
 *
 * - A review has no `created_at` or `updated_at` in REST, only `submitted_at`. A submitted review gets
 *   `submitted_at` for both (what GraphQL shows for a review submitted at once); an edit or a dismissal, whose time
 *   the payload does not carry, gets the pull request's `updated_at` as of the delivery when that is later. Both
 *   are never later than GraphQL's values, so the refresh (the pull request's `updatedAt` moved) overwrites them
 *   with GraphQL's, and a late delivery of an older version does not replace a newer one.
 * - Ids are JSON numbers in REST and decimal strings in the records, as the backfill keeps them.
 */
import type {
  CommentKind,
  StoredReviewState,
  WebhookComment,
  WebhookContributor,
  WebhookReview,
} from '../domain/children.ts';
import {
  field,
  idString,
  isObject,
  type Json,
  optionalString,
  RestShapeError,
  requiredInteger,
  requiredString,
  restActor,
  text,
} from './map-rest.ts';

export type ChildEvent = 'pull_request_review' | 'pull_request_review_comment' | 'issue_comment';
export const CHILD_EVENTS: readonly string[] = [
  'pull_request_review',
  'pull_request_review_comment',
  'issue_comment',
] satisfies ChildEvent[];

export type ChildChange =
  | { type: 'ignore'; reason: string }
  | {
      type: 'upsert';
      pullRequest: { githubId: string } | { number: number };
      contributors: WebhookContributor[];
      child: { review: WebhookReview } | { comment: WebhookComment };
    }
  | { type: 'delete'; kind: CommentKind; githubId: string };

const REVIEW_STATES: readonly string[] = [
  'APPROVED',
  'CHANGES_REQUESTED',
  'COMMENTED',
  'DISMISSED',
  'PENDING',
];
const MAX_INT = 2_147_483_647;

function object(source: Json, key: string, path: string): Json {
  const value = field(source, key);
  if (!isObject(value)) throw new RestShapeError(`${path}.${key} must be an object`);
  return value;
}

/** ISO 8601 text, normalised (Postgres and JavaScript then agree on what it means), or null when absent. */
function optionalTimestamp(source: Json, key: string, path: string): string | null {
  const value = optionalString(source, key, path);
  if (value === null) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RestShapeError(`${path}.${key} must be a timestamp`);
  return new Date(ms).toISOString();
}

function timestamp(source: Json, key: string, path: string): string {
  const value = optionalTimestamp(source, key, path);
  if (value === null) throw new RestShapeError(`${path}.${key} must be a timestamp`);
  return value;
}

/** A diff line: null when the comment is outdated (its line left the diff). */
function line(source: Json, key: string, path: string): number | null {
  const value = field(source, key);
  if (value === undefined || value === null) return null;
  const n = requiredInteger(source, key, path);
  if (n > MAX_INT) throw new RestShapeError(`${path}.${key} must be a line number`);
  return n;
}

function optionalId(source: Json, key: string, path: string): string | null {
  const value = field(source, key);
  return value === undefined || value === null ? null : idString(source, key, path);
}

function laterOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function reviewChange(payload: Json, action: string): ChildChange {
  if (!['submitted', 'edited', 'dismissed'].includes(action))
    return { type: 'ignore', reason: `action ${action}` };
  const pullRequest = object(payload, 'pull_request', 'payload');
  const pullRequestId = idString(pullRequest, 'id', 'pull_request');
  const pullRequestUpdatedAt = timestamp(pullRequest, 'updated_at', 'pull_request');
  const review = object(payload, 'review', 'payload');
  const path = 'review';
  const state = requiredString(review, 'state', path).toUpperCase();
  if (!REVIEW_STATES.includes(state))
    throw new RestShapeError(`review.state ${JSON.stringify(state)} is unknown`);
  // drafts are shown only to their author and may vanish: never stored (see StoredReviewState)
  if (state === 'PENDING') return { type: 'ignore', reason: 'pending review' };
  const submittedAt = optionalTimestamp(review, 'submitted_at', path);
  const body = field(review, 'body');
  const author = restActor(field(review, 'user'), 'review.user');
  const submitted = submittedAt ?? pullRequestUpdatedAt;
  return {
    type: 'upsert',
    pullRequest: { githubId: pullRequestId },
    contributors: author.contributor ? [author.contributor] : [],
    child: {
      review: {
        github_id: idString(review, 'id', path),
        node_id: requiredString(review, 'node_id', path),
        ...author.columns,
        state: state as StoredReviewState,
        // GraphQL's body is "" where REST's is null
        body: body === null || body === undefined ? '' : text(review, 'body', path),
        submitted_at: submittedAt,
        created_at: submitted,
        updated_at: action === 'submitted' ? submitted : laterOf(submitted, pullRequestUpdatedAt),
        commit_oid: optionalString(review, 'commit_id', path),
      },
    },
  };
}

function commentRow(
  comment: Json,
  kind: CommentKind,
): { contributors: WebhookContributor[]; row: WebhookComment } {
  const path = 'comment';
  const author = restActor(field(comment, 'user'), 'comment.user');
  const inReview = kind === 'review_comment';
  return {
    contributors: author.contributor ? [author.contributor] : [],
    row: {
      kind,
      github_id: idString(comment, 'id', path),
      node_id: requiredString(comment, 'node_id', path),
      ...author.columns,
      body: text(comment, 'body', path),
      created_at: timestamp(comment, 'created_at', path),
      updated_at: timestamp(comment, 'updated_at', path),
      review_github_id: inReview ? optionalId(comment, 'pull_request_review_id', path) : null,
      path: inReview ? requiredString(comment, 'path', path) : null,
      line: inReview ? line(comment, 'line', path) : null,
      original_line: inReview ? line(comment, 'original_line', path) : null,
      in_reply_to_github_id: inReview ? optionalId(comment, 'in_reply_to_id', path) : null,
    },
  };
}

function commentChange(
  payload: Json,
  action: string,
  kind: CommentKind,
  pullRequest: () => { githubId: string } | { number: number },
): ChildChange {
  if (!['created', 'edited', 'deleted'].includes(action))
    return { type: 'ignore', reason: `action ${action}` };
  const comment = object(payload, 'comment', 'payload');
  if (action === 'deleted') return { type: 'delete', kind, githubId: idString(comment, 'id', 'comment') };
  const ref = pullRequest();
  const { contributors, row } = commentRow(comment, kind);
  // GitHub's schema allows a review comment without its review; the table cannot hold one
  if (kind === 'review_comment' && row.review_github_id === null)
    return { type: 'ignore', reason: 'review comment without a review' };
  return { type: 'upsert', pullRequest: ref, contributors, child: { comment: row } };
}

/** What the delivery changes. Throws RestShapeError for a payload that is not the shape GitHub documents. */
export function childChange(event: ChildEvent, payload: Json): ChildChange {
  const action = requiredString(payload, 'action', 'payload');
  switch (event) {
    case 'pull_request_review':
      return reviewChange(payload, action);
    case 'pull_request_review_comment':
      return commentChange(payload, action, 'review_comment', () => ({
        githubId: idString(object(payload, 'pull_request', 'payload'), 'id', 'pull_request'),
      }));
    case 'issue_comment': {
      const issue = object(payload, 'issue', 'payload');
      // an issue comment is a pull request's conversation comment only when its issue is a pull request
      if (!isObject(field(issue, 'pull_request'))) return { type: 'ignore', reason: 'not a pull request' };
      return commentChange(payload, action, 'issue_comment', () => {
        const number = requiredInteger(issue, 'number', 'issue');
        if (number < 1 || number > MAX_INT)
          throw new RestShapeError('issue.number must be a pull request number');
        return { number };
      });
    }
  }
}
