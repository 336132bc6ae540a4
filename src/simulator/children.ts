/**
 * A pull request's children as GitHub holds them: reviews with their review comments (replies, outdated lines),
 * conversation comments, edits after creation, and the hard cases a naive backfill loses (hundreds of comments or
 * reviews on one pull request, a review with more review comments than one page, more labels than one page,
 * 65,000-character bodies, every kind of author). Each child draws from its own seeded stream, so adding children
 * never changes the pull requests the generator produced before.
 *
 * Ids: reviews, issue comments and review comments live in separate id spaces on GitHub, so the simulator lets
 * an issue comment and a review comment share a databaseId on purpose; a store keyed on the id alone would merge them.
 */
import { hashTuple, intBetween, pick, type Random, randomFor } from './random.ts';
import { commentBody, pullRequestBody } from './text.ts';

/** The dataset's actor shape, restated to keep this module free of a cycle with dataset.ts. */
export interface ChildActor {
  type: 'User' | 'Bot' | 'Mannequin' | 'Organization' | 'EnterpriseUserAccount';
  login: string;
  databaseId: number | null;
  nodeId: string;
  url: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface SimReviewComment {
  databaseId: number;
  nodeId: string;
  author: ChildActor | null;
  body: string;
  createdAt: number;
  updatedAt: number;
  path: string;
  /** null when outdated (the line left the diff); originalLine keeps where it was written */
  line: number | null;
  originalLine: number;
  /** databaseId of the comment this one answers (the first comment of its thread) */
  replyTo: number | null;
}

export interface SimReview {
  databaseId: number;
  nodeId: string;
  author: ChildActor | null;
  state: ReviewState;
  submittedAt: number | null;
  createdAt: number;
  updatedAt: number;
  body: string;
  commitOid: string;
  comments: SimReviewComment[];
}

export interface SimComment {
  databaseId: number;
  nodeId: string;
  author: ChildActor | null;
  createdAt: number;
  updatedAt: number;
  body: string;
}

/** Where a pull request's children live in time: created within [from, to], edited no later than `editedBy`. */
export interface ChildSpan {
  from: number;
  to: number;
  editedBy: number;
}

/** Ids shared by the dataset's children: one base per (repository, pull request), far above 2^31. */
export class ChildIds {
  constructor(
    private readonly seed: number,
    private readonly salt: number,
  ) {}

  private base(index: number): number {
    return 3_000_000_000 + this.salt * 1_000_000_000_000 + index * 100_000;
  }

  review(index: number, r: number): number {
    return this.base(index) + 50_000 + r;
  }

  issueComment(index: number, c: number): number {
    return this.base(index) + c;
  }

  /** the same range as issue comments: the two kinds collide by design */
  reviewComment(index: number, r: number, c: number): number {
    return this.base(index) + r * 200 + c;
  }

  nodeId(prefix: string, ...parts: number[]): string {
    return `${prefix}_kwDO${Buffer.from([this.seed, this.salt, ...parts].join(':'), 'utf8').toString('base64url')}`;
  }
}

const PATHS = ['src/index.ts', 'src/parser/ünïcödé.ts', 'README.md', 'docs/עברית.md', 'test/a b.test.ts'];
const HEX = '0123456789abcdef';

export function commitOid(...parts: (number | string)[]): string {
  const random = randomFor('oid', ...parts);
  return Array.from({ length: 40 }, () => HEX[Math.floor(random() * 16)]).join('');
}

/** Most children are never edited; some are, up to the last activity on the pull request. */
export function editedAt(random: Random, createdAt: number, span: ChildSpan): number {
  if (random() >= 0.12 || span.editedBy <= createdAt) return createdAt;
  return createdAt + 1 + Math.floor(random() * (span.editedBy - createdAt));
}

/** Review comments of one review: usually none or a few, rarely more than a page; some reply, some are outdated. */
export function reviewComments(
  ids: ChildIds,
  index: number,
  r: number,
  review: { createdAt: number; stateIsPending: boolean },
  span: ChildSpan,
  author: (random: Random) => ChildActor | null,
  earlierThreads: number[],
  count?: number,
): SimReviewComment[] {
  const random = randomFor(ids.nodeId('stream', index, r), 'review-comments');
  const roll = random();
  const n =
    count ?? (roll < 0.005 ? intBetween(random, 100, 130) : roll < 0.5 ? 0 : intBetween(random, 1, 5));
  const comments: SimReviewComment[] = [];
  for (let c = 0; c < Math.min(n, 199); c++) {
    const databaseId = ids.reviewComment(index, r, c);
    const createdAt = review.createdAt;
    const originalLine = 1 + Math.floor(random() * 400);
    const outdated = random() < 0.15;
    const thread = earlierThreads.length > 0 && random() < 0.3 ? pick(random, earlierThreads) : null;
    const comment: SimReviewComment = {
      databaseId,
      nodeId: ids.nodeId('PRRC', index, r, c),
      author: author(random),
      body: random() < 0.003 ? pullRequestBody(random, 'huge', index) : commentBody(random),
      createdAt,
      updatedAt: editedAt(random, createdAt, span),
      path: pick(random, PATHS),
      line: outdated ? null : Math.max(1, originalLine + intBetween(random, -3, 3)),
      originalLine,
      replyTo: thread,
    };
    comments.push(comment);
    if (thread === null) earlierThreads.push(databaseId);
  }
  return comments;
}

/** Fields of a review the original generator did not draw: ids, edits, commit and its comments. */
export function completeReview(
  ids: ChildIds,
  index: number,
  r: number,
  drawn: {
    author: ChildActor | null;
    state: ReviewState;
    submittedAt: number | null;
    createdAt: number;
    body: string;
  },
  span: ChildSpan,
  author: (random: Random) => ChildActor | null,
  threads: number[],
  commentCount?: number,
): SimReview {
  const random = randomFor(ids.nodeId('stream', index, r), 'review');
  return {
    ...drawn,
    databaseId: ids.review(index, r),
    nodeId: ids.nodeId('PRR', index, r),
    updatedAt: editedAt(random, drawn.createdAt, span),
    commitOid: commitOid(hashTuple(ids.nodeId('PRR', index, r))),
    comments: reviewComments(
      ids,
      index,
      r,
      { createdAt: drawn.createdAt, stateIsPending: drawn.state === 'PENDING' },
      span,
      author,
      threads,
      commentCount,
    ),
  };
}

export function completeComment(
  ids: ChildIds,
  index: number,
  c: number,
  drawn: { author: ChildActor | null; createdAt: number; body: string },
  span: ChildSpan,
): SimComment {
  const random = randomFor(ids.nodeId('stream', index, c), 'comment');
  return {
    ...drawn,
    databaseId: ids.issueComment(index, c),
    nodeId: ids.nodeId('IC', index, c),
    updatedAt: editedAt(random, drawn.createdAt, span),
  };
}

/**
 * The hard cases, placed on the first pull requests of a repository that asks for them (`childCases`):
 * 0: 250 conversation comments; 1: 120 reviews; 2: a review with 120 review comments; 3: 150 labels;
 * 4: every kind of author (ghost, Bot, Mannequin, Organization, EnterpriseUserAccount), a PENDING review, and
 * 65,000-character and right-to-left bodies.
 */
export interface ChildCase {
  comments?: number;
  reviews?: number;
  reviewComments?: number;
  labels?: number;
  everyAuthor?: boolean;
}

export const CHILD_CASES: readonly ChildCase[] = [
  { comments: 250 },
  { reviews: 120 },
  { reviews: 2, reviewComments: 120 },
  { labels: 150 },
  { everyAuthor: true },
];

export function caseLabels(count: number): { name: string; color: string }[] {
  return Array.from({ length: count }, (_, l) => ({
    name: `area/${String(l).padStart(3, '0')}${l % 10 === 0 ? ' 🏷️' : ''}`,
    color: (hashTuple('label', l) & 0xffffff).toString(16).padStart(6, '0'),
  }));
}

/** Bodies for the every-author case: huge, right-to-left, emoji, empty. */
export function caseBody(random: Random, k: number, index: number): string {
  switch (k % 4) {
    case 0:
      // exactly 65,000 UTF-16 units, never ending in half an emoji
      return pullRequestBody(random, 'huge', index)
        .slice(0, 65_000)
        .replace(/[\uD800-\uDBFF]$/, 'x')
        .padEnd(65_000, 'x');
    case 1:
      return 'מה דעתך? هل هذا صحيح؟ 👩‍💻🇺🇦';
    case 2:
      return '';
    default:
      return commentBody(random);
  }
}
