import type { FollowUpTask } from '../domain/children.ts';
import type { FieldProfile, PullRequestRecord, PullRequestState } from '../domain/pull-request.ts';
import type { BackfillScope } from '../domain/scope.ts';
import type { FollowUpOutcome, MappedChildren } from './map-children.ts';

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  /** ISO timestamp */
  resetAt: string;
  /** points charged for the request that returned this state (0 for a standalone read) */
  cost: number;
  nodeCount: number;
}

export interface RepositoryInfo {
  owner: string;
  name: string;
  githubId: string;
  nodeId: string;
  prTotalCount: number;
  isPrivate: boolean;
}

/**
 * One window of a walk page: a slice of the CREATED_AT-ordered pull requests of one state partition (or of all of
 * them), read forward (`first/after`, from the oldest) or backward (`last/before`, from the newest). Connections are
 * priced per request, not per node, so several windows in one GraphQL request cost what one does (core profile).
 */
export interface WalkWindowRequest {
  /** distinct per request; the page's windows come back under it */
  key: string;
  direction: 'forward' | 'backward';
  /** the partition: every pull request is in exactly one of OPEN, CLOSED and MERGED; all states when absent */
  states?: readonly PullRequestState[];
  size: number;
  cursor: string | null;
}

/**
 * A run of the repository's issue/pull-request numbers, each looked up on its own (`issueOrPullRequest(number:)`):
 * single-object lookups are no connections, so GitHub prices them by the connections inside the profile's fields
 * alone (none in `core`: any number of lookups cost 1 point).
 */
export interface NumberRange {
  /** the first number looked up */
  from: number;
  /** how many consecutive numbers */
  count: number;
}

export interface PageRequest {
  owner: string;
  name: string;
  profile: FieldProfile;
  /** empty when the request looks numbers up instead */
  windows: WalkWindowRequest[];
  /** the number walk's request: these numbers, plus the repository's newest pull request and its state counts */
  numbers?: NumberRange;
  /** narrows every window to the scope's base, and makes the page's totalCount the scope's size */
  scope?: BackfillScope;
}

export interface PageWindow {
  nodes: PullRequestRecord[];
  /** for a forward window: endCursor/hasNextPage; for a backward one: startCursor/hasPreviousPage */
  cursor: string | null;
  hasMore: boolean;
  /** pull requests in the window's partition (or the repository) as GitHub counted them for this request */
  totalCount: number;
}

/** The answer to a number walk's request. */
export interface NumbersAnswer {
  range: NumberRange;
  /** the pull requests among the numbers (issues and numbers that are nothing any more are left out) */
  nodes: PullRequestRecord[];
  /** the number of the newest pull request; null when there is none */
  newest: number | null;
  /** pull requests per state, as GitHub counted them for this request */
  states: Record<PullRequestState, number>;
}

export interface PageResult {
  /** pull requests in the repository */
  totalCount: number;
  /** a number walk's request: what its numbers are */
  numbers?: NumbersAnswer;
  /** `full` profile: each pull request's inline children and follow-ups, by the pull request's github id */
  children?: Map<string, MappedChildren>;
  /** by window key */
  windows: Record<string, PageWindow>;
  /** nodes GitHub returned without a required id: skipped, counted, never fatal for the page */
  skippedNodes: number;
  rateLimit: RateLimitState;
  predictedCost: number;
}

export interface UpdatedPageRequest {
  owner: string;
  name: string;
  profile: FieldProfile;
  first: number;
  after: string | null;
}

/** Pages of connections that did not fit inline, each from its own cursor, in one request. */
export interface FollowUpRequest {
  owner: string;
  name: string;
  tasks: FollowUpTask[];
}

export interface FollowUpResult {
  /** in the order of the request's tasks */
  outcomes: FollowUpOutcome[];
  rateLimit: RateLimitState;
  predictedCost: number;
}

export interface GitHubClient {
  /** a free read (rateLimit alone) used once at the start of a run */
  rateLimit(): Promise<RateLimitState>;
  /** ids and PR totalCount for many repositories in one aliased query; missing ones are returned in `missing` */
  lookupRepositories(refs: { owner: string; name: string }[]): Promise<{
    found: RepositoryInfo[];
    missing: { owner: string; name: string }[];
    rateLimit: RateLimitState;
  }>;
  /** every repository of a user or organisation (for `owner/*`) */
  listOwnerRepositories(owner: string): Promise<{ owner: string; name: string }[]>;
  fetchPullRequests(request: PageRequest): Promise<PageResult>;
  /** UPDATED_AT DESC, for incremental refresh (the window `updated`): the caller stops at its watermark */
  fetchUpdatedPullRequests(request: UpdatedPageRequest): Promise<PageResult>;
  fetchFollowUps(request: FollowUpRequest): Promise<FollowUpResult>;
  /** predicted point cost of a request, before sending it */
  predictCost(request: PageRequest | UpdatedPageRequest | FollowUpRequest): number;
  /**
   * The client and rate-limit budget an owner's repositories use. Absent for a token, whose one budget serves
   * every owner; a GitHub App answers per installation, and each installation has its own budget.
   */
  budgetFor?(owner: string): Promise<GitHubBudget>;
}

export interface GitHubBudget {
  /** the same key means the same budget */
  key: string;
  github: GitHubClient;
}

export type GitHubErrorKind =
  | 'primary_rate_limit' // wait until resetAt; the engine pauses the repository
  | 'secondary_rate_limit' // wait retryAfterMs, back off
  | 'transient' // 502/504, "Something went wrong", timeouts, resets: retry with a smaller page
  | 'auth' // 401 bad credentials: fatal for the run
  | 'permission' // token lacks access: fatal for the repository
  | 'not_found' // repository gone or invisible: fatal for the repository
  | 'partial' // data with errors: never accepted
  | 'invalid' // a query GitHub rejected: a bug, fatal
  | 'unknown';

export class GitHubError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; resetAt?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'GitHubError';
  }

  get fatal(): boolean {
    return (
      this.kind === 'auth' ||
      this.kind === 'permission' ||
      this.kind === 'not_found' ||
      this.kind === 'invalid'
    );
  }
}
