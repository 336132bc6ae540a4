/**
 * GraphQL children → stored records, and the follow-up tasks for every connection that did not fit in the page
 * that brought it. A child without the ids the store keys on is skipped and counted, like a pull request.
 */
import {
  type ChildRecords,
  type CommentRecord,
  type ContributorRecord,
  emptyChildren,
  type FollowUpTask,
  type ReviewRecord,
  type StoredReviewState,
} from '../domain/children.ts';
import { ACTOR_TYPES, type ActorType } from '../domain/pull-request.ts';

interface GraphQLActor {
  __typename?: string;
  login?: string;
  avatarUrl?: string | null;
  url?: string | null;
  databaseId?: number | null;
}

interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

interface GraphQLConnection<T> {
  totalCount?: number;
  pageInfo?: PageInfo | null;
  nodes?: (T | null)[] | null;
}

interface GraphQLReview {
  id?: string | null;
  fullDatabaseId?: string | number | bigint | null;
  state: string;
  body: string;
  submittedAt: string | null;
  createdAt: string;
  updatedAt: string;
  commit?: { oid: string } | null;
  author: GraphQLActor | null;
}

interface GraphQLIssueComment {
  id?: string | null;
  fullDatabaseId?: string | number | bigint | null;
  body: string;
  createdAt: string;
  updatedAt: string;
  author: GraphQLActor | null;
}

interface GraphQLReviewComment extends GraphQLIssueComment {
  path: string;
  line: number | null;
  originalLine: number | null;
  replyTo?: { fullDatabaseId?: string | number | bigint | null } | null;
}

/** The children part of a `full` pull-request node. */
export interface GraphQLPullRequestChildren {
  id?: string | null;
  author?: GraphQLActor | null;
  labels?: GraphQLConnection<{ name: string }> | null;
  reviews?: GraphQLConnection<GraphQLReview> | null;
  comments?: GraphQLConnection<GraphQLIssueComment> | null;
}

export interface MappedChildren extends ChildRecords {
  followUps: FollowUpTask[];
  /** children without the ids the store keys on */
  skipped: number;
}

const STORED_REVIEW_STATES: readonly string[] = ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED'];

export function decimalId(value: string | number | bigint | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return /^[0-9]+$/.test(text) ? text : null;
}

export function actorType(typename: string | undefined): ActorType | null {
  return (ACTOR_TYPES as readonly string[]).includes(typename ?? '') ? (typename as ActorType) : null;
}

/** The author columns of a row; a ghost (deleted account) is all null. */
export function authorColumns(author: GraphQLActor | null | undefined) {
  return {
    author_github_id: decimalId(author?.databaseId),
    author_login: author?.login ?? null,
    author_type: actorType(author?.__typename),
  };
}

/** A contributor row for an actor with a databaseId (every Actor type but EnterpriseUserAccount). */
export function contributorOf(author: GraphQLActor | null | undefined): ContributorRecord | null {
  const githubId = decimalId(author?.databaseId);
  const type = actorType(author?.__typename);
  if (!author || githubId === null || type === null || typeof author.login !== 'string') return null;
  return {
    github_id: githubId,
    login: author.login,
    type,
    avatar_url: author.avatarUrl ?? null,
    html_url: author.url ?? null,
  };
}

/** Collects rows, one contributor per id (the last seen wins: GitHub reports current logins). */
class ChildCollector {
  readonly out: MappedChildren = { ...emptyChildren(), followUps: [], skipped: 0 };
  private readonly contributors = new Map<string, ContributorRecord>();

  actor(author: GraphQLActor | null | undefined): void {
    const contributor = contributorOf(author);
    if (contributor) this.contributors.set(contributor.github_id, contributor);
  }

  review(node: GraphQLReview | null, pullRequestId: string): void {
    if (!node) return;
    // Drafts are only visible to their author and may vanish: never stored (see StoredReviewState).
    if (!STORED_REVIEW_STATES.includes(node.state)) return;
    const githubId = decimalId(node.fullDatabaseId);
    if (githubId === null || !node.id) {
      this.out.skipped++;
      return;
    }
    this.actor(node.author);
    const review: ReviewRecord = {
      github_id: githubId,
      node_id: node.id,
      pull_request_github_id: pullRequestId,
      ...authorColumns(node.author),
      state: node.state as StoredReviewState,
      body: node.body,
      submitted_at: node.submittedAt ?? null,
      created_at: node.createdAt,
      updated_at: node.updatedAt,
      commit_oid: node.commit?.oid ?? null,
    };
    this.out.reviews.push(review);
    this.out.followUps.push({
      kind: 'review_comments',
      node_id: node.id,
      pull_request_github_id: pullRequestId,
      review_github_id: githubId,
      cursor: null,
    });
  }

  comment(
    node: GraphQLIssueComment | GraphQLReviewComment | null,
    pullRequestId: string,
    review: string | null,
  ): void {
    if (!node) return;
    const githubId = decimalId(node.fullDatabaseId);
    if (githubId === null || !node.id) {
      this.out.skipped++;
      return;
    }
    this.actor(node.author);
    const inReview = review !== null ? (node as GraphQLReviewComment) : null;
    const comment: CommentRecord = {
      kind: inReview ? 'review_comment' : 'issue_comment',
      github_id: githubId,
      node_id: node.id,
      pull_request_github_id: pullRequestId,
      ...authorColumns(node.author),
      body: node.body,
      created_at: node.createdAt,
      updated_at: node.updatedAt,
      review_github_id: review,
      path: inReview?.path ?? null,
      line: inReview?.line ?? null,
      original_line: inReview?.originalLine ?? null,
      in_reply_to_github_id: decimalId(inReview?.replyTo?.fullDatabaseId),
    };
    this.out.comments.push(comment);
  }

  /** Queue the rest of a connection when this page did not hold all of it. */
  more(connection: GraphQLConnection<unknown> | null | undefined, task: Omit<FollowUpTask, 'cursor'>): void {
    const info = connection?.pageInfo;
    if (info?.hasNextPage && info.endCursor) this.out.followUps.push({ ...task, cursor: info.endCursor });
  }

  finish(): MappedChildren {
    this.out.contributors = [...this.contributors.values()];
    return this.out;
  }
}

/**
 * The children inline in one `full` pull-request node: its author, its reviews and conversation comments, the
 * first page of its labels (returned apart: they go into the pull request's own row), and follow-ups for each
 * review's comments and for every connection with more pages.
 */
export function mapInlineChildren(
  node: GraphQLPullRequestChildren,
  pullRequestId: string,
): MappedChildren & { firstLabels: string[] } {
  const collect = new ChildCollector();
  const nodeId = node.id ?? '';
  collect.actor(node.author);
  for (const review of node.reviews?.nodes ?? []) collect.review(review, pullRequestId);
  for (const comment of node.comments?.nodes ?? []) collect.comment(comment, pullRequestId, null);
  const base = { node_id: nodeId, pull_request_github_id: pullRequestId, review_github_id: null };
  collect.more(node.labels, { ...base, kind: 'labels' });
  collect.more(node.reviews, { ...base, kind: 'reviews' });
  collect.more(node.comments, { ...base, kind: 'comments' });
  const firstLabels = (node.labels?.nodes ?? []).flatMap((label) => (label ? [label.name] : []));
  return { ...collect.finish(), firstLabels };
}

export interface FollowUpOutcome extends MappedChildren {
  /** where the task continues; null when its connection is done */
  nextCursor: string | null;
}

/**
 * One follow-up page. A `node` GitHub could no longer resolve (the pull request or review is gone) is `null`:
 * the task is done and brings nothing.
 */
export function mapFollowUpPage(
  task: FollowUpTask,
  node: { page?: GraphQLConnection<unknown> | null } | null | undefined,
): FollowUpOutcome {
  const collect = new ChildCollector();
  const page = node?.page;
  const pullRequestId = task.pull_request_github_id;
  for (const item of page?.nodes ?? []) {
    switch (task.kind) {
      case 'labels': {
        const name = (item as { name?: string } | null)?.name;
        if (typeof name === 'string') {
          if (collect.out.labels.length === 0)
            collect.out.labels.push({ pull_request_github_id: pullRequestId, names: [] });
          collect.out.labels[0]?.names.push(name);
        }
        break;
      }
      case 'reviews':
        collect.review(item as GraphQLReview | null, pullRequestId);
        break;
      case 'comments':
        collect.comment(item as GraphQLIssueComment | null, pullRequestId, null);
        break;
      case 'review_comments':
        collect.comment(item as GraphQLReviewComment | null, pullRequestId, task.review_github_id);
        break;
    }
  }
  const info = page?.pageInfo;
  const nextCursor = info?.hasNextPage && info.endCursor ? info.endCursor : null;
  return { ...collect.finish(), nextCursor };
}

/** The children of every pull-request node of a `full` window, by the pull request's github id. */
export function mapWindowChildren(nodes: readonly unknown[] | null | undefined): Map<string, MappedChildren> {
  const byPullRequest = new Map<string, MappedChildren>();
  for (const node of nodes ?? []) {
    if (typeof node !== 'object' || node === null) continue;
    const pr = node as GraphQLPullRequestChildren & {
      fullDatabaseId?: string | number | bigint | null;
      databaseId?: number | null;
    };
    const githubId = decimalId(pr.fullDatabaseId) ?? decimalId(pr.databaseId);
    if (githubId !== null && pr.id) byPullRequest.set(githubId, mapInlineChildren(pr, githubId));
  }
  return byPullRequest;
}
