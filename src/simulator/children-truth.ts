/**
 * Every contributor, review, comment and label a complete backfill must hold, straight from the dataset. Written
 * apart from src/github/map-children.ts so that comparing a database with it checks the product's mapping too.
 * Pull requests without ids are skipped by the product, and so are their children; PENDING reviews are drafts
 * only their author sees, so neither they nor their comments are part of the truth.
 */
import type { CommentRecord, ContributorRecord, ReviewRecord } from '../domain/children.ts';
import type { ChildActor, SimComment, SimReview, SimReviewComment } from './children.ts';
import type { SimRepository } from './dataset.ts';
import { isoSeconds } from './resolvers.ts';

export interface ChildrenTruth {
  contributors: ContributorRecord[];
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  /** every label name of every stored pull request, by the pull request's github id */
  labels: Map<string, string[]>;
}

function author(actor: ChildActor | null) {
  return {
    author_github_id: actor?.databaseId == null ? null : String(actor.databaseId),
    author_login: actor?.login ?? null,
    author_type: actor?.type ?? null,
  };
}

function commentRow(
  prId: string,
  comment: SimComment | SimReviewComment,
  review: SimReview | null,
): CommentRecord {
  const inReview = review ? (comment as SimReviewComment) : null;
  return {
    kind: review ? 'review_comment' : 'issue_comment',
    github_id: String(comment.databaseId),
    node_id: comment.nodeId,
    pull_request_github_id: prId,
    ...author(comment.author),
    body: comment.body,
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    review_github_id: review ? String(review.databaseId) : null,
    path: inReview?.path ?? null,
    line: inReview?.line ?? null,
    original_line: inReview?.originalLine ?? null,
    in_reply_to_github_id: inReview?.replyTo == null ? null : String(inReview.replyTo),
  };
}

/** Sorted by github id (comments by kind, then id), the order a test reads the tables in. */
export function childrenTruth(repository: SimRepository): ChildrenTruth {
  const contributors = new Map<string, ContributorRecord>();
  const seen = (actor: ChildActor | null) => {
    if (!actor || actor.databaseId === null) return;
    contributors.set(String(actor.databaseId), {
      github_id: String(actor.databaseId),
      login: actor.login,
      type: actor.type,
      avatar_url: `https://avatars.githubusercontent.com/${encodeURIComponent(actor.login)}`,
      html_url: actor.url,
    });
  };
  const reviews: ReviewRecord[] = [];
  const comments: CommentRecord[] = [];
  const labels = new Map<string, string[]>();
  for (let index = 0; index < repository.pullRequestCount; index++) {
    const pr = repository.pullRequest(index);
    if (pr.databaseId === null) continue;
    const prId = String(pr.databaseId);
    seen(pr.author);
    labels.set(
      prId,
      pr.labels.map((label) => label.name),
    );
    for (const comment of pr.comments) {
      seen(comment.author);
      comments.push(commentRow(prId, comment, null));
    }
    for (const review of pr.reviews) {
      if (review.state === 'PENDING') continue;
      seen(review.author);
      reviews.push({
        github_id: String(review.databaseId),
        node_id: review.nodeId,
        pull_request_github_id: prId,
        ...author(review.author),
        state: review.state as ReviewRecord['state'],
        body: review.body,
        submitted_at: review.submittedAt === null ? null : isoSeconds(review.submittedAt),
        created_at: isoSeconds(review.createdAt),
        updated_at: isoSeconds(review.updatedAt),
        commit_oid: review.commitOid,
      });
      for (const comment of review.comments) {
        seen(comment.author);
        comments.push(commentRow(prId, comment, review));
      }
    }
  }
  const byId = (a: { github_id: string }, b: { github_id: string }) =>
    BigInt(a.github_id) < BigInt(b.github_id) ? -1 : BigInt(a.github_id) > BigInt(b.github_id) ? 1 : 0;
  return {
    contributors: [...contributors.values()].sort(byId),
    reviews: reviews.sort(byId),
    comments: comments.sort((a, b) => a.kind.localeCompare(b.kind) || byId(a, b)),
    labels,
  };
}
