/**
 * The stored shape of a pull request's children: contributors, reviews and comments. Keys are the column names of
 * the `contributors`, `reviews` and `comments` tables, so the store hands them to SQL as JSON without renaming.
 *
 * GitHub's database ids are decimal strings (they outgrow 2^31, and JSON numbers lose precision past 2^53).
 * Issue comments and review comments live in different id spaces on GitHub, so a comment is identified by
 * (kind, github_id), never by github_id alone.
 */
import type { ActorType } from './pull-request.ts';

/** One GitHub account. EnterpriseUserAccount has no databaseId and is therefore never a contributor row. */
export interface ContributorRecord {
  github_id: string;
  login: string;
  type: ActorType;
  avatar_url: string | null;
  html_url: string | null;
}

/**
 * PENDING reviews are drafts GitHub shows only to their author; they may be discarded at any time and never
 * reach anyone else, so the product never stores them (a token's own draft would otherwise appear and vanish).
 */
export type StoredReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

/** What every written child of a pull request (review or comment) has: its ids, its pull request, its author. */
export interface AuthoredChildRecord {
  github_id: string;
  node_id: string;
  pull_request_github_id: string;
  author_github_id: string | null;
  author_login: string | null;
  author_type: ActorType | null;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface ReviewRecord extends AuthoredChildRecord {
  state: StoredReviewState;
  submitted_at: string | null;
  commit_oid: string | null;
}

export type CommentKind = 'issue_comment' | 'review_comment';

export interface CommentRecord extends AuthoredChildRecord {
  kind: CommentKind;
  /** review comments only (null for issue comments) */
  review_github_id: string | null;
  path: string | null;
  /** null when the comment is outdated: the line it was written on is gone from the diff */
  line: number | null;
  original_line: number | null;
  in_reply_to_github_id: string | null;
}

/** A review or comment as a webhook delivers it: its pull request is named apart (by id, or by number). */
export type WebhookReview = Omit<ReviewRecord, 'pull_request_github_id'>;
export type WebhookComment = Omit<CommentRecord, 'pull_request_github_id'>;
/** A contributor from a REST payload: an account type REST names that GraphQL does not know is left null. */
export type WebhookContributor = Omit<ContributorRecord, 'type'> & { type: ContributorRecord['type'] | null };

/** Labels past the first page of a pull request's labels, appended to `pull_requests.labels`. */
export interface LabelPage {
  pull_request_github_id: string;
  names: string[];
}

/** Everything a page (or a follow-up page) brings besides pull-request rows. */
export interface ChildRecords {
  contributors: ContributorRecord[];
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  labels: LabelPage[];
}

export function emptyChildren(): ChildRecords {
  return { contributors: [], reviews: [], comments: [], labels: [] };
}

export const FOLLOW_UP_KINDS = ['labels', 'reviews', 'comments', 'review_comments'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/**
 * A connection of one pull request (or of one review) that did not fit inline, and where its next page starts.
 * Keyed by (kind, node_id): the pull request's node id, or the review's for `review_comments`.
 */
export interface FollowUpTask {
  kind: FollowUpKind;
  node_id: string;
  pull_request_github_id: string;
  /** review_comments only */
  review_github_id: string | null;
  /** null: from the start */
  cursor: string | null;
}
