/**
 * Resolvers for a pull request's children and for `node(id:)`, served as GitHub serves them: PENDING reviews only
 * to their author, 64-bit ids through `fullDatabaseId` (the deprecated 32-bit `databaseId` overflows), outdated
 * review comments with `line: null`, and a NOT_FOUND error beside a null `node` for an id that resolves to nothing.
 */
import { GraphQLError } from 'graphql';
import type { ChildActor, SimComment, SimReview, SimReviewComment } from './children.ts';
import { listConnection } from './connection.ts';
import type { SimPullRequest, SimRepository } from './dataset.ts';

type Args = Record<string, unknown>;
type Resolved = Record<string, unknown>;

export interface ChildContext {
  token: { login: string; canSee: (owner: string, name: string) => boolean };
}

export interface ChildResolverDeps {
  isoSeconds: (seconds: number) => string;
  actorObject: (actor: ChildActor | null) => Resolved | null;
  pullRequestObject: (repository: SimRepository, pr: SimPullRequest, context: ChildContext) => Resolved;
  /** the deprecated 32-bit `databaseId` of a larger id */
  int32: (value: number, context: ChildContext) => number | null;
}

/** A draft review is visible to its author only. */
export function visibleReviews(pr: SimPullRequest, context: ChildContext): SimReview[] {
  return pr.reviews.filter(
    (review) => review.state !== 'PENDING' || review.author?.login === context.token.login,
  );
}

export function createChildResolvers(deps: ChildResolverDeps) {
  const { isoSeconds, actorObject, int32 } = deps;

  /** The fields GitHub's comment-like objects share (Comment interface, UniformResourceLocatable). */
  function authoredFields(child: SimComment, url: string, context: ChildContext): Resolved {
    return {
      id: child.nodeId,
      databaseId: int32(child.databaseId, context),
      fullDatabaseId: String(child.databaseId),
      author: actorObject(child.author),
      body: child.body,
      bodyText: child.body,
      bodyHTML: child.body,
      createdAt: isoSeconds(child.createdAt),
      updatedAt: isoSeconds(child.updatedAt),
      lastEditedAt: child.updatedAt === child.createdAt ? null : isoSeconds(child.updatedAt),
      url,
      resourcePath: new URL(url).pathname,
    };
  }

  function reviewCommentObject(
    repository: SimRepository,
    pr: SimPullRequest,
    review: SimReview,
    comment: SimReviewComment,
    context: ChildContext,
  ): Resolved {
    return {
      __typename: 'PullRequestReviewComment',
      ...authoredFields(comment, `${pr.url}#discussion_r${comment.databaseId}`, context),
      path: comment.path,
      line: comment.line,
      originalLine: comment.originalLine,
      outdated: comment.line === null,
      replyTo: () => {
        if (comment.replyTo === null) return null;
        for (const other of pr.reviews) {
          const target = other.comments.find((candidate) => candidate.databaseId === comment.replyTo);
          if (target) return reviewCommentObject(repository, pr, other, target, context);
        }
        return null;
      },
      pullRequestReview: () => reviewObject(repository, pr, review, context),
      pullRequest: () => deps.pullRequestObject(repository, pr, context),
    };
  }

  function reviewObject(
    repository: SimRepository,
    pr: SimPullRequest,
    review: SimReview,
    context: ChildContext,
  ): Resolved {
    return {
      __typename: 'PullRequestReview',
      ...authoredFields(review, `${pr.url}#pullrequestreview-${review.databaseId}`, context),
      state: review.state,
      submittedAt: review.submittedAt === null ? null : isoSeconds(review.submittedAt),
      commit: { __typename: 'Commit', id: `C_${review.commitOid}`, oid: review.commitOid },
      comments: (args: Args) =>
        listConnection(review.comments, args, (comment) =>
          reviewCommentObject(repository, pr, review, comment, context),
        ),
      pullRequest: () => deps.pullRequestObject(repository, pr, context),
    };
  }

  function issueCommentObject(pr: SimPullRequest, comment: SimComment, context: ChildContext): Resolved {
    return {
      __typename: 'IssueComment',
      ...authoredFields(comment, `${pr.url}#issuecomment-${comment.databaseId}`, context),
    };
  }

  /** The `reviews`, `comments` and `labels` fields of a pull request object. */
  function pullRequestChildren(
    repository: SimRepository,
    pr: SimPullRequest,
    context: ChildContext,
  ): Resolved {
    return {
      totalCommentsCount: () => pr.comments.length,
      labels: (args: Args) =>
        listConnection(pr.labels, args, (label) => ({
          __typename: 'Label',
          id: `LA_${Buffer.from(label.name).toString('base64url')}`,
          name: label.name,
          color: label.color,
        })),
      reviews: (args: Args) => {
        const states = args.states as string[] | null | undefined;
        const author = args.author as string | null | undefined;
        const reviews = visibleReviews(pr, context).filter(
          (review) =>
            (!states || states.includes(review.state)) && (!author || review.author?.login === author),
        );
        return listConnection(reviews, args, (review) => reviewObject(repository, pr, review, context));
      },
      comments: (args: Args) =>
        listConnection(pr.comments, args, (comment) => issueCommentObject(pr, comment, context)),
    };
  }

  /**
   * `node(id:)` for the kinds the product follows up on: pull requests and reviews. Anything else (or anything the
   * token cannot see) answers like GitHub: null with a NOT_FOUND error at the field's path.
   */
  function nodeById(
    repositories: readonly SimRepository[],
    id: string,
    context: ChildContext,
  ): Resolved | null {
    const found = locate(repositories, id);
    if (found && context.token.canSee(found.repository.owner, found.repository.name)) {
      if (!found.review) return deps.pullRequestObject(found.repository, found.pr, context);
      if (visibleReviews(found.pr, context).includes(found.review))
        return reviewObject(found.repository, found.pr, found.review, context);
    }
    throw new GraphQLError(`Could not resolve to a node with the global id of '${id}'`, {
      extensions: { type: 'NOT_FOUND' },
    });
  }

  return { pullRequestChildren, nodeById, reviewObject };
}

/** Node ids are `PREFIX_kwDO` + base64url("seed:salt:index[:r]") (see dataset.ts and children.ts). */
function locate(
  repositories: readonly SimRepository[],
  id: string,
): { repository: SimRepository; pr: SimPullRequest; review?: SimReview } | null {
  const match = /^(PR|PRR)_kwDO([A-Za-z0-9_-]+)$/.exec(id);
  if (!match) return null;
  const parts = Buffer.from(match[2] ?? '', 'base64url')
    .toString('utf8')
    .split(':')
    .map(Number);
  const [, salt, index] = parts;
  const repository = repositories[salt ?? -1];
  if (!repository || index === undefined || !Number.isInteger(index)) return null;
  if (index < 0 || index >= repository.pullRequestCount) return null;
  const pr = repository.pullRequest(index);
  if (match[1] === 'PR') return pr.nodeId === id ? { repository, pr } : null;
  const review = pr.reviews.find((candidate) => candidate.nodeId === id);
  return review ? { repository, pr, review } : null;
}
