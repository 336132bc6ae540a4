/**
 * Deterministic synthetic GitHub data. Every pull request is derived from (seed, repository, index) on demand, so a
 * 200,000-PR repository costs a few numbers until someone asks for its pages; only changes made while the simulator
 * runs (state transitions, new PRs) are stored.
 *
 * Index order is creation order: createdAt never decreases with the index and ties are broken by the index, which
 * is also databaseId order — exactly GitHub's CREATED_AT ordering "ties broken by id".
 */
import type { ActorType, PullRequestState } from '../domain/pull-request.ts';
import {
  CHILD_CASES,
  type ChildCase,
  ChildIds,
  type ChildSpan,
  caseBody,
  caseLabels,
  completeComment,
  completeReview,
  type SimComment,
  type SimReview,
} from './children.ts';
import { hashTuple, intBetween, pick, type Random, randomFor } from './random.ts';
import {
  BOT_PACKAGES,
  bodyShape,
  commentBody,
  LABELS,
  pullRequestBody,
  pullRequestTitle,
  slug,
} from './text.ts';

export interface RepositoryChanges {
  /** after every `everyPages` pull-request page requests served for the repository, the repository changes */
  everyPages: number;
  /** OPEN pull requests that become MERGED or CLOSED at each change (default 2) */
  transitions?: number;
  /** new OPEN pull requests created at the end at each change (default 0) */
  growth?: number;
  /** the repository stops changing after this many changes (default: never), so a test can end on quiet data */
  maxEvents?: number;
}

export interface RepositorySpec {
  owner: string;
  name: string;
  /** 0..200,000 (more works, it is just not what the generator is tuned for) */
  pullRequests: number;
  isPrivate?: boolean;
  ownerType?: 'User' | 'Organization';
  changes?: RepositoryChanges;
  /** this many pull requests, spread evenly, have neither databaseId nor fullDatabaseId (default 0) */
  pullRequestsWithoutIds?: number;
  /** the first pull requests carry the hard child cases of children.ts (CHILD_CASES); needs 5 or more PRs */
  childCases?: boolean;
  /**
   * share (0..0.98) of the number sequence taken by issues, evenly spread; by default PR numbers rise with gaps of 1
   * to 5 (about two issues per pull request). A few numbers between pull requests belong to nothing any more
   * (deleted or transferred issues): a lookup of them answers NOT_FOUND.
   */
  issueShare?: number;
}

/** What a number of a repository's shared issue/pull-request sequence is now. */
export type NumberOwner =
  | { kind: 'pullRequest'; index: number }
  | { kind: 'issue'; number: number }
  | { kind: 'missing' };

/** One number in this many between pull requests is a deleted or transferred issue: NOT_FOUND. */
const MISSING_EVERY = 40;

export type { SimComment, SimReview, SimReviewComment } from './children.ts';

export interface DatasetOptions {
  seed: number;
  repositories: RepositorySpec[];
  /** the newest generated pull request is created shortly before this instant (default 2026-01-01) */
  historyEndsAt?: string;
  /** seconds between consecutive pull requests (default 2,400: 200,000 PRs span ~15 years) */
  spacingSeconds?: number;
}

export interface SimActor {
  type: ActorType;
  login: string;
  /** `null` for EnterpriseUserAccount, which has no databaseId field */
  databaseId: number | null;
  nodeId: string;
  url: string;
}

export interface SimLabel {
  name: string;
  color: string;
}

/** The cheap part of a pull request: enough to order, filter and count without generating text. */
export interface PullRequestSkeleton {
  index: number;
  number: number;
  /** exact below 2^53; `null` together with fullDatabaseId for the rare id-less node */
  databaseId: number | null;
  state: PullRequestState;
  isDraft: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  mergedAt: number | null;
}

/** A pull request as the simulator currently holds it; timestamps are epoch seconds. */
export interface SimPullRequest extends PullRequestSkeleton {
  nodeId: string;
  title: string;
  body: string;
  author: SimActor | null;
  additions: number;
  deletions: number;
  changedFiles: number;
  baseRefName: string;
  headRefName: string;
  url: string;
  labels: SimLabel[];
  reviewDecision: 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED' | null;
  reviews: SimReview[];
  comments: SimComment[];
}

export type OrderField = 'CREATED_AT' | 'UPDATED_AT';

/** Sort key of a pull request in an ordering: (timestamp seconds, index). */
export type SortKey = readonly [seconds: number, index: number];

/** An ascending list of pull-request indices in one ordering, possibly filtered by state. */
export interface OrderedList {
  readonly size: number;
  indexAt(position: number): number;
  keyAt(position: number): SortKey;
}

interface StateOverride {
  state: PullRequestState;
  isDraft: boolean;
  updatedAt: number;
  closedAt: number | null;
  mergedAt: number | null;
}

const TWO_POW_31 = 2 ** 31;
const DAY = 86_400;
const MEMO_LIMIT = 512;
const USER_NAMES = ['octo', 'dev', 'ana', 'li', 'muller', 'sam'] as const;
const BOTS = [
  { login: 'dependabot', databaseId: 49_699_333 },
  { login: 'renovate', databaseId: 29_139_614 },
  { login: 'github-actions', databaseId: 41_898_282 },
] as const;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** GitHub's newer global ids look like `PR_kwDO…`: a type prefix and an opaque base64 payload. */
export function nodeId(prefix: string, ...parts: (string | number)[]): string {
  return `${prefix}_kwDO${base64url(parts.join(':'))}`;
}

function compareKeys(a: SortKey, b: SortKey): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function lowerBound(list: OrderedList, key: SortKey): number {
  let lo = 0;
  let hi = list.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(list.keyAt(mid), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function upperBound(list: OrderedList, key: SortKey): number {
  let lo = 0;
  let hi = list.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(list.keyAt(mid), key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SimRepository {
  readonly owner: string;
  readonly name: string;
  readonly isPrivate: boolean;
  readonly ownerType: 'User' | 'Organization';
  readonly databaseId: number;
  readonly nodeId: string;
  readonly createdAt: number;
  /** bumped on every change so cached orderings are rebuilt */
  version = 0;
  pageRequestsServed = 0;

  private readonly initialCount: number;
  private count: number;
  private readonly firstCreatedAt: number;
  private readonly highIdsFrom: number;
  private readonly overrides = new Map<number, StateOverride>();
  private readonly grownCreatedAt = new Map<number, number>();
  private readonly memo = new Map<number, SimPullRequest>();
  private readonly orderings = new Map<string, OrderedList>();
  private readonly withoutIds: Set<number>;
  private readonly ids: ChildIds;
  private readonly childOverrides = new Map<number, { reviews: SimReview[]; comments: SimComment[] }>();
  private readonly baseOverrides = new Map<number, string>();
  private readonly childRounds = new Map<number, number>();
  private changeEvents = 0;

  constructor(
    private readonly seed: number,
    private readonly salt: number,
    private readonly spec: RepositorySpec,
    historyEndsAt: number,
    private readonly spacing: number,
  ) {
    if (!Number.isInteger(spec.pullRequests) || spec.pullRequests < 0) {
      throw new Error(`pullRequests must be a non-negative integer for ${spec.owner}/${spec.name}`);
    }
    if (spec.issueShare !== undefined && !(spec.issueShare >= 0 && spec.issueShare <= 0.98)) {
      throw new Error(`issueShare must be from 0 to 0.98 for ${spec.owner}/${spec.name}`);
    }
    this.owner = spec.owner;
    this.name = spec.name;
    this.isPrivate = spec.isPrivate ?? false;
    this.ownerType = spec.ownerType ?? 'Organization';
    this.initialCount = spec.pullRequests;
    this.count = spec.pullRequests;
    this.databaseId = 100_000_000 + salt * 7_919;
    this.ids = new ChildIds(seed, salt);
    if (spec.childCases && spec.pullRequests < CHILD_CASES.length) {
      throw new Error(
        `childCases needs at least ${CHILD_CASES.length} pull requests in ${spec.owner}/${spec.name}`,
      );
    }
    this.nodeId = nodeId('R', 'repo', seed, salt);
    this.firstCreatedAt = historyEndsAt - (spec.pullRequests + 1) * spacing;
    this.createdAt = this.firstCreatedAt - 30 * DAY;
    // the last 2% of the history has ids just under 2^53, everything else sits across 2^31
    this.highIdsFrom = Math.floor(spec.pullRequests * 0.98);
    const without = Math.min(spec.pullRequestsWithoutIds ?? 0, spec.pullRequests);
    this.withoutIds = new Set(
      Array.from({ length: without }, (_, j) => Math.floor(((j + 0.5) * spec.pullRequests) / without)),
    );
  }

  get nameWithOwner(): string {
    return `${this.owner}/${this.name}`;
  }

  get url(): string {
    return `https://github.com/${this.owner}/${this.name}`;
  }

  /** current number of pull requests (grows with `changes.growth`) */
  get pullRequestCount(): number {
    return this.count;
  }

  get pullRequestsWithoutIdsCount(): number {
    return this.withoutIds.size;
  }

  private numberOf(index: number): number {
    const share = this.spec.issueShare;
    // Issues share the number sequence: by default PR numbers rise with gaps of 1 to 5.
    if (share === undefined) return 3 * index + 1 + (hashTuple(this.seed, this.salt, index, 'number') % 3);
    // a mean gap of 1 / (1 - share); the jitter stays under the gap's floor, so numbers still strictly rise
    const gap = 1 / (1 - share);
    const jitter = Math.floor(gap) - 1;
    const offset = jitter > 0 ? hashTuple(this.seed, this.salt, index, 'number') % (jitter + 1) : 0;
    return Math.floor(index * gap) + 1 + offset;
  }

  /**
   * The owner of a number: a pull request (numbers rise with the index, so a binary search finds it), an issue,
   * or nothing (a deleted or transferred issue, or a number not given out yet).
   */
  numberOwner(number: number): NumberOwner {
    if (!Number.isInteger(number) || number < 1 || this.count === 0) return { kind: 'missing' };
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.numberOf(middle) < number) low = middle + 1;
      else high = middle;
    }
    if (this.numberOf(low) === number) return { kind: 'pullRequest', index: low };
    if (number > this.numberOf(this.count - 1)) return { kind: 'missing' };
    if (hashTuple(this.seed, this.salt, number, 'missing') % MISSING_EVERY === 0) return { kind: 'missing' };
    return { kind: 'issue', number };
  }

  private databaseIdOf(index: number): number | null {
    if (this.withoutIds.has(index)) return null;
    const jitter = hashTuple(this.seed, this.salt, index, 'id') % 1_000;
    if (index < this.highIdsFrom)
      return TWO_POW_31 - 50_000 + this.salt * 400_000_000 + index * 1_000 + jitter;
    return 2 ** 53 - 2 ** 42 + this.salt * 2 ** 32 + (index - this.highIdsFrom) * 1_000 + jitter;
  }

  private historicalCreatedAt(index: number): number {
    const at = (i: number) =>
      this.firstCreatedAt +
      i * this.spacing +
      (hashTuple(this.seed, this.salt, i, 'created') % (this.spacing >> 1));
    // Some odd-indexed pull requests share their predecessor's createdAt to the second.
    if (index % 2 === 1 && hashTuple(this.seed, this.salt, index, 'tie') % 100 < 8) return at(index - 1);
    return at(index);
  }

  createdAtOf(index: number): number {
    return this.grownCreatedAt.get(index) ?? this.historicalCreatedAt(index);
  }

  skeleton(index: number): PullRequestSkeleton {
    this.assertIndex(index);
    const createdAt = this.createdAtOf(index);
    const base: PullRequestSkeleton = {
      index,
      number: this.numberOf(index),
      databaseId: this.databaseIdOf(index),
      ...this.generatedState(index, createdAt),
    };
    const override = this.overrides.get(index);
    return override ? { ...base, ...override } : base;
  }

  private generatedState(
    index: number,
    createdAt: number,
  ): Omit<PullRequestSkeleton, 'index' | 'number' | 'databaseId'> {
    const random = randomFor(this.seed, this.salt, index, 'state');
    const stateRoll = random();
    const closeAfter = Math.floor(60 + random() ** 3 * 90 * DAY);
    const touchAfter = Math.floor(random() ** 2 * 20 * DAY);
    const draftRoll = random();
    if (this.grownCreatedAt.has(index)) {
      return {
        state: 'OPEN',
        isDraft: draftRoll < 0.2,
        createdAt,
        updatedAt: createdAt,
        closedAt: null,
        mergedAt: null,
      };
    }
    // activity may continue up to 60 days past the last creation, never further: "now" stays newer than history
    const historyEnd = this.firstCreatedAt + (this.initialCount + 1) * this.spacing + 60 * DAY;
    const recent = index >= this.initialCount * 0.95;
    const openChance = recent ? 0.35 : 0.04;
    if (stateRoll < openChance) {
      const updatedAt = Math.min(createdAt + touchAfter, historyEnd);
      return {
        state: 'OPEN',
        isDraft: draftRoll < 0.2,
        createdAt,
        updatedAt,
        closedAt: null,
        mergedAt: null,
      };
    }
    const closedAt = Math.min(createdAt + closeAfter, historyEnd);
    const updatedAt = Math.min(closedAt + Math.floor(touchAfter / 10), historyEnd);
    if (stateRoll < openChance + 0.2) {
      return { state: 'CLOSED', isDraft: draftRoll < 0.05, createdAt, updatedAt, closedAt, mergedAt: null };
    }
    return { state: 'MERGED', isDraft: false, createdAt, updatedAt, closedAt, mergedAt: closedAt };
  }

  pullRequest(index: number): SimPullRequest {
    this.assertIndex(index);
    let generated = this.memo.get(index);
    if (!generated) {
      generated = this.generate(index);
      if (this.memo.size >= MEMO_LIMIT) {
        const oldest = this.memo.keys().next().value;
        if (oldest !== undefined) this.memo.delete(oldest);
      }
      this.memo.set(index, generated);
    }
    const override = this.overrides.get(index);
    const children = this.childOverrides.get(index);
    const baseRefName = this.baseOverrides.get(index);
    return override || children || baseRefName !== undefined
      ? { ...generated, ...override, ...children, ...(baseRefName !== undefined ? { baseRefName } : {}) }
      : generated;
  }

  /**
   * Someone acts on a pull request now: merges, closes or reopens it, or retargets it to another base branch. Its
   * updatedAt moves, as on GitHub.
   */
  changePullRequest(
    index: number,
    nowSec: number,
    change: { state?: PullRequestState; baseRefName?: string },
  ): void {
    const current = this.skeleton(index);
    const at = Math.max(nowSec, current.updatedAt + 1);
    const state = change.state ?? current.state;
    const ended = state === 'OPEN' ? null : current.state === 'OPEN' ? at : current.closedAt;
    this.overrides.set(index, {
      state,
      isDraft: state === 'MERGED' ? false : current.isDraft,
      updatedAt: at,
      closedAt: ended,
      mergedAt: state === 'MERGED' ? (current.mergedAt ?? at) : null,
    });
    if (change.baseRefName !== undefined) this.baseOverrides.set(index, change.baseRefName);
    this.version++;
  }

  /**
   * People act on a pull request now: a new conversation comment, the first one edited, the last one deleted
   * (when there are two or more), and a new review with a review comment. Its updatedAt moves, as on GitHub.
   */
  changeChildren(index: number, nowSec: number): void {
    const pr = this.pullRequest(index);
    const round = (this.childRounds.get(index) ?? 0) + 1;
    if (round > 9) throw new Error(`pull request ${index} has changed too often for its id range`);
    this.childRounds.set(index, round);
    const at = Math.max(nowSec, pr.updatedAt + 1);
    const span: ChildSpan = { from: at, to: at, editedBy: at };
    const comments = pr.comments.map((comment, c) =>
      c === 0 ? { ...comment, body: `${comment.body} (edited ✏️ ${round})`, updatedAt: at } : comment,
    );
    if (comments.length >= 2) comments.pop();
    const newComment = completeComment(
      this.ids,
      index,
      40_000 + round,
      {
        author: this.actor('User', `newcomer-${10_000 + round}`, 10_000 + round, 'U'),
        createdAt: at,
        body: `new ${round} 🆕`,
      },
      span,
    );
    const review = completeReview(
      this.ids,
      index,
      240 + round,
      {
        // accounts beyond the generator's (k ≤ 5,000), so a new id never meets an old login
        author: this.actor('User', `reviewer-${20_000 + round}`, 20_000 + round, 'U'),
        state: 'COMMENTED',
        submittedAt: at,
        createdAt: at,
        body: `review ${round}`,
      },
      span,
      (random) => this.author(random),
      [],
      1,
    );
    this.childOverrides.set(index, { comments: [...comments, newComment], reviews: [...pr.reviews, review] });
    const current = this.skeleton(index);
    this.overrides.set(index, {
      state: current.state,
      isDraft: current.isDraft,
      updatedAt: at,
      closedAt: current.closedAt,
      mergedAt: current.mergedAt,
    });
    this.version++;
  }

  private generate(index: number): SimPullRequest {
    const skeleton = this.skeleton(index);
    const random = randomFor(this.seed, this.salt, index, 'detail');
    const author = this.author(random);
    const byBot = author?.type === 'Bot';
    const title = pullRequestTitle(random, byBot);
    const body = pullRequestBody(random, bodyShape(random), skeleton.number);
    const additions = Math.floor(Math.exp(random() * 9)) - 1;
    const deletions = Math.floor(Math.exp(random() * 8)) - 1;
    const changedFiles = additions + deletions === 0 ? 0 : 1 + Math.floor(random() ** 3 * 60);
    const baseRefName = pick(random, ['main', 'main', 'main', 'master', 'develop', 'release/2.x']);
    const headRefName = byBot
      ? `${author?.login}/npm_and_yarn/${pick(random, BOT_PACKAGES)}-${skeleton.number}`
      : `${random() < 0.05 ? 'fix/ünïcödé' : 'feature'}/${slug(title)}-${skeleton.number}`;
    const labelCount = random() < 0.55 ? 0 : intBetween(random, 1, 4);
    const labelPool = [...LABELS];
    const labels: SimLabel[] = [];
    for (let l = 0; l < labelCount; l++) {
      const [name] = labelPool.splice(Math.floor(random() * labelPool.length), 1);
      if (name !== undefined)
        labels.push({ name, color: (hashTuple(name) & 0xffffff).toString(16).padStart(6, '0') });
    }
    const hard = this.childCase(index);
    if (hard?.labels !== undefined) labels.splice(0, labels.length, ...caseLabels(hard.labels));
    const span: ChildSpan = {
      from: skeleton.createdAt,
      to: skeleton.closedAt ?? skeleton.updatedAt,
      editedBy: skeleton.updatedAt,
    };
    // Reviews and comments go on drawing from this stream, but only when something reads them: a page of core
    // fields (most of a benchmark's requests) never does, and they are most of a pull request's generating.
    let children: { reviews: SimReview[]; comments: SimComment[] } | undefined;
    const drawChildren = () => {
      children ??= {
        reviews: this.reviews(random, index, span, hard),
        comments: this.comments(random, index, span, hard),
      };
      return children;
    };
    const reviewDecision = this.reviewDecision(
      randomFor(this.seed, this.salt, index, 'decision'),
      skeleton.state,
    );
    return {
      ...skeleton,
      nodeId: nodeId('PR', this.seed, this.salt, index),
      title,
      body,
      author,
      additions,
      deletions,
      changedFiles,
      baseRefName,
      headRefName,
      url: `${this.url}/pull/${skeleton.number}`,
      labels,
      reviewDecision,
      get reviews() {
        return drawChildren().reviews;
      },
      get comments() {
        return drawChildren().comments;
      },
    };
  }

  private author(random: Random): SimActor | null {
    const roll = random();
    const k = intBetween(random, 0, Math.max(20, Math.min(5_000, Math.floor(this.initialCount / 10))));
    if (roll < 0.02) return null; // a deleted account: GitHub shows "ghost" but the API returns null
    if (roll < 0.09) return this.botActor(pick(random, BOTS));
    if (roll < 0.095) return this.actor('Mannequin', `mannequin-${k}`, k, 'MQ');
    if (roll < 0.1) return this.actor('Organization', `org-${k}`, k, 'O');
    if (roll < 0.105) return this.enterpriseUser(k);
    // The draw is kept so the stream stays put, but a login follows from the id alone: one account, one login.
    pick(random, USER_NAMES);
    return this.actor('User', `${USER_NAMES[k % USER_NAMES.length]}-${k}`, k, 'U');
  }

  private botActor(bot: (typeof BOTS)[number]): SimActor {
    // GraphQL reports a GitHub App's login without REST's "[bot]" suffix
    return {
      type: 'Bot',
      login: bot.login,
      databaseId: bot.databaseId,
      nodeId: nodeId('BOT', bot.login),
      url: `https://github.com/apps/${bot.login}`,
    };
  }

  private enterpriseUser(k: number): SimActor {
    return {
      type: 'EnterpriseUserAccount',
      login: `enterprise-user-${k}`,
      databaseId: null,
      nodeId: nodeId('EUA', k),
      url: `https://github.com/enterprises/acme/people/enterprise-user-${k}`,
    };
  }

  private childCase(index: number): ChildCase | undefined {
    return this.spec.childCases && !this.grownCreatedAt.has(index) ? CHILD_CASES[index] : undefined;
  }

  private actor(type: ActorType, login: string, k: number, prefix: string): SimActor {
    return {
      type,
      login,
      databaseId: 1_000 + k * 37 + type.length,
      nodeId: nodeId(prefix, login),
      url: `https://github.com/${login}`,
    };
  }

  private reviews(random: Random, index: number, span: ChildSpan, hard: ChildCase | undefined): SimReview[] {
    const { from, to } = span;
    const drawnCount =
      random() < 0.01 ? intBetween(random, 100, 140) : random() < 0.4 ? 0 : intBetween(random, 1, 6);
    const count = hard?.reviews ?? (hard?.everyAuthor ? 7 : drawnCount);
    const threads: number[] = [];
    return Array.from({ length: count }, (_, r) => {
      const createdAt = from + Math.floor(((to - from) * (r + 1)) / (count + 1));
      const state = pick(random, [
        'APPROVED',
        'CHANGES_REQUESTED',
        'COMMENTED',
        'COMMENTED',
        'DISMISSED',
      ] as const);
      const pending = hard?.everyAuthor ? r === count - 2 : random() < 0.01;
      const drawnAuthor = this.author(random);
      const drawnBody = random() < 0.5 ? '' : commentBody(random);
      const drawn = {
        author: hard?.everyAuthor ? this.everyAuthor(r) : drawnAuthor,
        state: pending ? ('PENDING' as const) : state,
        submittedAt: pending ? null : createdAt,
        createdAt,
        body: hard?.everyAuthor ? caseBody(random, r, index) : drawnBody,
      };
      const comments = hard?.reviewComments !== undefined && r === 0 ? hard.reviewComments : undefined;
      // a draft's comments are nobody else's to answer
      const replyable = pending ? [] : threads;
      return completeReview(this.ids, index, r, drawn, span, (rr) => this.author(rr), replyable, comments);
    });
  }

  private comments(
    random: Random,
    index: number,
    span: ChildSpan,
    hard: ChildCase | undefined,
  ): SimComment[] {
    const { from, to } = span;
    const drawnCount =
      random() < 0.01 ? intBetween(random, 100, 150) : random() < 0.35 ? 0 : intBetween(random, 1, 10);
    const count = hard?.comments ?? (hard?.everyAuthor ? 8 : drawnCount);
    return Array.from({ length: count }, (_, c) => {
      const drawnAuthor = this.author(random);
      const drawnBody = commentBody(random);
      const drawn = {
        author: hard?.everyAuthor ? this.everyAuthor(c) : drawnAuthor,
        createdAt: from + Math.floor(((to - from) * (c + 1)) / (count + 1)),
        body: hard?.everyAuthor ? caseBody(random, c, index) : drawnBody,
      };
      return completeComment(this.ids, index, c, drawn, span);
    });
  }

  /** Cycles through a ghost and every Actor type, for the every-author case. */
  private everyAuthor(k: number): SimActor | null {
    const random = randomFor(this.seed, this.salt, 'every-author', k);
    switch (k % 6) {
      case 0:
        return null;
      case 1:
        return this.botActor(BOTS[k % BOTS.length] ?? BOTS[0]);
      case 2:
        return this.actor('Mannequin', `mannequin-${k}`, k, 'MQ');
      case 3:
        return this.actor('Organization', `org-${k}`, k, 'O');
      case 4:
        return this.enterpriseUser(k);
      default:
        return this.author(random) ?? this.actor('User', `octo-${k}`, k, 'U');
    }
  }

  private reviewDecision(random: Random, state: PullRequestState): SimPullRequest['reviewDecision'] {
    if (state === 'MERGED') return random() < 0.7 ? 'APPROVED' : null;
    if (state === 'CLOSED') return random() < 0.2 ? 'CHANGES_REQUESTED' : null;
    return pick(random, [null, 'REVIEW_REQUIRED', 'APPROVED', 'CHANGES_REQUESTED'] as const);
  }

  /** Pull requests in ascending `field` order, ties broken by index (= id), optionally only some states. */
  ordered(
    field: OrderField,
    states: readonly PullRequestState[] | null = null,
    baseRefName: string | null = null,
  ): OrderedList {
    const filter = states && states.length > 0 ? [...new Set(states)].sort() : null;
    if (field === 'CREATED_AT' && !filter && baseRefName === null) {
      return {
        size: this.count,
        indexAt: (position) => position,
        keyAt: (position) => [this.createdAtOf(position), position],
      };
    }
    const cacheKey = `${this.version}|${field}|${filter?.join(',') ?? '*'}|${baseRefName ?? '*'}`;
    const cached = this.orderings.get(cacheKey);
    if (cached) return cached;
    const keys = new Float64Array(this.count);
    const selected: number[] = [];
    for (let index = 0; index < this.count; index++) {
      const skeleton = this.skeleton(index);
      keys[index] = field === 'CREATED_AT' ? skeleton.createdAt : skeleton.updatedAt;
      if (filter && !filter.includes(skeleton.state)) continue;
      // the base branch is not in the skeleton: only a base-filtered list generates the pull requests
      if (baseRefName !== null && this.pullRequest(index).baseRefName !== baseRefName) continue;
      selected.push(index);
    }
    const indices = Int32Array.from(selected);
    if (field === 'UPDATED_AT') indices.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);
    const list: OrderedList = {
      size: indices.length,
      indexAt: (position) => indices[position] ?? -1,
      keyAt: (position) => {
        const index = indices[position] ?? -1;
        return [keys[index] ?? 0, index];
      },
    };
    // Older versions are never asked for again; the current one's other orderings are (a walk asks for every
    // state partition in each request).
    for (const key of this.orderings.keys())
      if (!key.startsWith(`${this.version}|`)) this.orderings.delete(key);
    this.orderings.set(cacheKey, list);
    return list;
  }

  /** Sort key of one pull request in an ordering, for cursors. */
  keyOf(field: OrderField, index: number): SortKey {
    const skeleton = this.skeleton(index);
    return [field === 'CREATED_AT' ? skeleton.createdAt : skeleton.updatedAt, index];
  }

  /**
   * Counts a served page request; every `changes.everyPages` of them, some OPEN pull requests merge or close and
   * new ones may appear — the data a long backfill sees moving under it.
   */
  recordPageServed(nowMs: number): void {
    this.pageRequestsServed++;
    const changes = this.spec.changes;
    if (!changes || changes.everyPages <= 0 || this.pageRequestsServed % changes.everyPages !== 0) return;
    if (changes.maxEvents !== undefined && this.changeEvents >= changes.maxEvents) return;
    this.applyChange(Math.floor(nowMs / 1000), changes);
  }

  private applyChange(nowSec: number, changes: RepositoryChanges): void {
    const event = ++this.changeEvents;
    const random = randomFor(this.seed, this.salt, 'change', event);
    for (let t = 0; t < (changes.transitions ?? 2) && this.count > 0; t++) {
      const start = Math.floor(random() * this.count);
      for (let step = 0; step < this.count; step++) {
        const index = (start + step) % this.count;
        const current = this.skeleton(index);
        if (current.state !== 'OPEN') continue;
        const at = Math.max(nowSec, current.updatedAt + 1);
        const merged = random() < 0.7;
        this.overrides.set(index, {
          state: merged ? 'MERGED' : 'CLOSED',
          isDraft: merged ? false : current.isDraft,
          updatedAt: at,
          closedAt: at,
          mergedAt: merged ? at : null,
        });
        break;
      }
    }
    for (let g = 0; g < (changes.growth ?? 0); g++) {
      const index = this.count;
      const previous = index > 0 ? this.createdAtOf(index - 1) : nowSec;
      this.grownCreatedAt.set(index, Math.max(nowSec, previous));
      this.count++;
    }
    this.version++;
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`no pull request at index ${index} in ${this.nameWithOwner}`);
    }
  }
}

export interface Dataset {
  readonly seed: number;
  readonly repositories: readonly SimRepository[];
  /** case-insensitive, like GitHub */
  repository(owner: string, name: string): SimRepository | undefined;
  /** repositories of one owner, in declaration order */
  ownerRepositories(owner: string): SimRepository[];
}

export function createDataset(options: DatasetOptions): Dataset {
  const historyEndsAt = Math.floor(Date.parse(options.historyEndsAt ?? '2026-01-01T00:00:00Z') / 1000);
  const spacing = options.spacingSeconds ?? 2_400;
  if (!Number.isFinite(historyEndsAt) || !(spacing >= 2)) throw new Error('invalid dataset time settings');
  if (options.repositories.length > 1_000) throw new Error('at most 1,000 repositories per dataset');
  const repositories = options.repositories.map(
    (spec, salt) => new SimRepository(options.seed, salt, spec, historyEndsAt, spacing),
  );
  const byName = new Map<string, SimRepository>();
  for (const repository of repositories) {
    const key = repository.nameWithOwner.toLowerCase();
    if (byName.has(key)) throw new Error(`duplicate repository ${repository.nameWithOwner}`);
    byName.set(key, repository);
  }
  return {
    seed: options.seed,
    repositories,
    repository: (owner, name) => byName.get(`${owner}/${name}`.toLowerCase()),
    ownerRepositories: (owner) => repositories.filter((r) => r.owner.toLowerCase() === owner.toLowerCase()),
  };
}
