import type {
  CommentKind,
  CommentRecord,
  ContributorRecord,
  FollowUpKind,
  FollowUpTask,
  ReviewRecord,
  WebhookComment,
  WebhookContributor,
  WebhookReview,
} from '../domain/children.ts';
import type { FieldProfile, PullRequestRecord } from '../domain/pull-request.ts';
import type { BackfillScope } from '../domain/scope.ts';

/**
 * The store is a thin shell over the SQL functions in supabase/migrations: every method is one RPC, so the
 * Postgres, Supabase and PGlite adapters cannot drift apart in behaviour.
 */

export type BackfillStatus = 'idle' | 'active' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'stalled';
export type ChunkStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'stalled';
export type RunOutcome = 'running' | 'completed' | 'interrupted' | 'failed' | 'partial';

/**
 * Where a repository's walk stands. Opaque to SQL (stored as jsonb and compared for equality on commit), owned by
 * the engine's pagination strategy. `null` means "not started".
 */
export type CursorState = Record<string, unknown> | null;

export interface RepositoryRef {
  owner: string;
  name: string;
}

export interface TrackRepositoryInput extends RepositoryRef {
  githubId: string | null;
  nodeId: string | null;
  prTotalCount: number | null;
  priority?: number;
}

export interface RepositoryRow {
  id: number;
  githubId: string | null;
  nodeId: string | null;
  owner: string;
  name: string;
  fullName: string;
  prTotalCount: number | null;
  prTotalCountAt: string | null;
  storedPrCount: number;
  tracked: boolean;
  priority: number;
  backfillStatus: BackfillStatus;
  /** the pull requests its backfill covers (whole repository: `{}`), as stored by start_backfill */
  scope: BackfillScope;
}

export interface SelectRepositoriesInput {
  threshold: number; // 0..1, default 0.8
  minPrs: number; // default 100
  limit: number;
  /** Named repositories are selected whatever min-prs says. */
  repositoryIds?: number[];
  /** completed repositories last refreshed longer ago than this are selected for a refresh (default 3600) */
  refreshAfterSeconds?: number;
}

export interface RepositoryCandidate {
  repositoryId: number;
  owner: string;
  name: string;
  fullName: string;
  priority: number;
  storedPrCount: number;
  prTotalCount: number | null;
  completeness: number | null; // stored / totalCount, null when totalCount unknown or 0
  backfillStatus: BackfillStatus;
  /** true when a backfill must be (re)started with start_backfill before a chunk can be claimed */
  needsStart: boolean;
  /** a completed backfill whose watermark is older than the refresh interval */
  needsRefresh: boolean;
  watermark: string | null;
  /** the backfill's stored scope, which a run that gives none works it in */
  scope: BackfillScope;
}

export interface ClaimChunkInput {
  repositoryId?: number | null; // null: any repository
  workerId: string;
  leaseSeconds: number;
  runId?: number | null;
}

export interface ChunkLease {
  chunkId: number;
  repositoryId: number;
  owner: string;
  name: string;
  chunkNumber: number;
  fencingToken: string; // bigint as string
  leaseExpiresAt: string;
  cursor: CursorState;
  attempts: number;
  fieldProfile: FieldProfile;
  /** the worker whose lease this claim took over because its session was gone; null for a pending chunk */
  takenOverFrom?: string | null;
}

/** A running chunk's lease, as someone else's run sees it. */
export interface LeaseRow {
  repositoryId: number;
  fullName: string;
  chunkId: number;
  chunkNumber: number;
  leaseOwner: string;
  leaseExpiresAt: string;
  /** seconds until the lease expires by the database's clock (0 once it has) */
  secondsLeft: number;
  /** true: its holder's session is alive; false: gone (the next claim takes it over); null: cannot be known */
  holderAlive: boolean | null;
}

/** The children a `full` page brings: stored with the page, and their follow-ups queued, in its transaction. */
export interface PageChildren {
  contributors: ContributorRecord[];
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  follow_ups: FollowUpTask[];
}

/** One follow-up page: its rows, what it revealed, and where its task continues (null: the task is done). */
export interface FollowUpPage extends PageChildren {
  kind: FollowUpKind;
  node_id: string;
  expected_cursor: string | null;
  next_cursor: string | null;
  /** label names past the first page, appended to the pull request's labels */
  labels: string[] | null;
}

export interface CommitFollowUpsInput {
  repositoryId: number;
  /** the chunk lease that fences the call; null for the refresh, which holds none */
  chunkId: number | null;
  fencingToken: string | null;
  runId: number | null;
  pages: FollowUpPage[];
  pointsSpent: number;
  /** the walk has ended: complete the chunk and the backfill once no follow-up remains */
  walkDone: boolean;
  leaseSeconds: number;
}

export interface CommitFollowUpsResult {
  /** pages applied; a page whose task had moved on (a replay, a restarted sync) is skipped */
  applied: number;
  skipped: number;
  written: number;
  /** follow-ups of the repository still queued */
  remaining: number;
  /** the chunk and the backfill completed in this call */
  completed: boolean;
}

export interface CommitPageInput {
  chunkId: number;
  fencingToken: string;
  runId: number | null;
  expectedCursor: CursorState;
  nextCursor: CursorState;
  prs: PullRequestRecord[];
  pointsSpent: number;
  skippedNodes: number;
  githubTotalCount: number | null;
  /** the walk reached the end: chunk and backfill complete in this same transaction, unless follow-ups remain */
  done: boolean;
  leaseSeconds: number;
  /** `full` profile only */
  children?: PageChildren;
}

export interface CommitPageResult {
  /** false when this exact commit had already been applied (a replayed RPC): nothing changed */
  applied: boolean;
  inserted: number;
  updated: number;
  storedPrCount: number;
  leaseExpiresAt: string;
  /** false when `done` was asked but follow-ups remain: they complete the backfill (commitFollowUps) */
  completed?: boolean;
}

export interface FailChunkInput {
  chunkId: number;
  fencingToken: string;
  error: string;
  retryable: boolean;
  maxFailures: number;
}

export interface FailChunkResult {
  chunkStatus: ChunkStatus;
  retryAt: string | null;
  consecutiveErrors: number;
}

export interface RecoverResult {
  requeued: number;
  stalled: number;
  runsInterrupted: number;
}

export interface StartRunInput {
  trigger: 'workflow' | 'cli' | 'function' | 'test';
  triggerRef: string | null; // workflow run id, function invocation id, …
  workerId: string;
  dryRun: boolean;
}

export interface FinishRunInput {
  runId: number;
  outcome: Exclude<RunOutcome, 'running'>;
  errorSummary: unknown;
}

export interface RefreshCommitInput {
  repositoryId: number;
  runId: number | null;
  /** the refresh position the page was fetched from; null for the first page of a new refresh */
  expectedCursor: string | null;
  /** where the refresh goes on; null when the page reached the watermark (the refresh is done) */
  nextCursor: string | null;
  /** the newest updatedAt when the refresh began: the watermark once it is done (kept by the store on resume) */
  targetWatermark: string;
  /** who moves the refresh (a replay of its own last page is recognised, another's is a conflict) */
  holder: string;
  prs: PullRequestRecord[];
  /** listed pull requests outside the backfill's scope: stored ones no newer are deleted with their children */
  removed?: readonly Pick<PullRequestRecord, 'github_id' | 'updated_at'>[];
  pointsSpent: number;
  children?: PageChildren;
}

export interface RefreshCommitResult {
  /** false: a replay of this holder's last page, already stored */
  applied: boolean;
  inserted: number;
  updated: number;
  removed: number;
}

/** Where a backfill's incremental refresh stands; the refresh fields are null when none is in progress. */
export interface RefreshPosition {
  watermark: string | null;
  cursor: string | null;
  targetWatermark: string | null;
  startedAt: string | null;
  holder: string | null;
}

export interface WebhookDeliveryInput {
  /** GitHub's X-GitHub-Delivery GUID; a redelivery carries the same one */
  deliveryId: string;
  event: string;
  repository: RepositoryRef & { githubId: string | null; nodeId: string | null };
  /**
   * When the payload saw the repository under this name (the newest of its timestamps): a name older than the one
   * stored (from a newer delivery, or from GitHub directly) is not applied, so a late delivery cannot undo a rename.
   */
  observedAt: string;
  prs: PullRequestRecord[];
}

export interface WebhookReceipt {
  /** this delivery was received before: nothing was written */
  duplicate: boolean;
  /** the repository as stored afterwards (null for a duplicate) */
  repository: RepositoryRow | null;
  /** false when the stored name was newer than the delivery's and was kept */
  nameApplied: boolean;
  inserted: number;
  updated: number;
  /** stored pull requests deleted because they left the backfill's scope (absent for a duplicate) */
  removed?: number;
}

/** A webhook delivery about a review or a comment: which delivery, and the repository it names. */
export interface ChildDeliveryRef {
  deliveryId: string;
  event: string;
  repository: RepositoryRef & { githubId: string | null };
}

export interface ChildWebhookInput extends ChildDeliveryRef {
  /** by GitHub id (review events), or by number (issue_comment: the id is not the pull request's) */
  pullRequest: { githubId: string } | { number: number };
  /** a type REST names that GraphQL does not know is null (upsert_contributors keeps a stored one) */
  contributors: WebhookContributor[];
  child: { review: WebhookReview } | { comment: WebhookComment };
}

export interface CommentDeletionInput extends ChildDeliveryRef {
  kind: CommentKind;
  githubId: string;
}

export interface ChildWebhookReceipt {
  /** this delivery was received before: nothing was written */
  duplicate: boolean;
  /** a row was written or deleted (false: the stored version was newer, or nothing was left to delete) */
  applied: boolean;
  /** why the delivery changed nothing and was not recorded (the repository not tracked, the pull request not stored…) */
  ignored: string | null;
}

export interface ProgressRow {
  repositoryId: number;
  fullName: string;
  backfillStatus: BackfillStatus;
  storedPrCount: number;
  prTotalCount: number | null;
  progressPct: number | null;
  prsPerHour: number | null;
  etaSeconds: number | null;
  pausedUntil: string | null;
  pauseReason: string | null;
  lastError: string | null;
  /** a failed or stalled backfill's last failed or stalled chunk (absent from databases before 20261202500003) */
  problemChunk?: {
    /** what `retry --chunk` takes (absent from databases before 20261203200002) */
    id?: number;
    chunkNumber: number;
    status: string;
    requeues: number;
    failures: number;
  } | null;
  /** the pull requests its backfill covers (whole repository: `{}`) */
  scope: BackfillScope;
}

/** Which lease a worker holds: enough to fence a call. */
export type LeaseRef = Pick<ChunkLease, 'chunkId' | 'fencingToken'>;

export type StoreErrorCode =
  | 'stale_lease' // fencing token no longer current: a recovered lease
  | 'cursor_conflict' // the expected cursor is not the stored one
  | 'invalid_transition' // e.g. completing twice, resuming a non-paused backfill
  | 'invalid_input' // negative counts, malformed rows
  | 'schema_missing' // migrations not applied or behind
  | 'connection'; // cannot reach the database

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface PageLimits {
  /** pull requests in one commit: a number walk's page above it is committed in parts */
  prsPerCommit: number;
  /** lookups in one number walk request */
  numbersPerRequest: number;
}

export interface Store {
  readonly kind: 'postgres' | 'supabase' | 'pglite';
  /**
   * Smaller pages, for a store whose database lives in this process (PGlite): its WebAssembly memory only grows, and
   * every page is held as text, objects and rows at once. Absent where any page is fine.
   */
  readonly pageLimits?: PageLimits;
  /** throws StoreError('schema_missing') with a message that says to run `progressive-backfill migrate` */
  assertSchema(): Promise<void>;
  trackRepository(input: TrackRepositoryInput): Promise<RepositoryRow>;
  getRepository(ref: RepositoryRef | { id: number }): Promise<RepositoryRow | null>;
  updateRepositoryCounts(repositoryId: number, prTotalCount: number): Promise<void>;
  selectRepositories(input: SelectRepositoriesInput): Promise<RepositoryCandidate[]>;
  /**
   * Answers the scope the backfill walks: the one given, or (none given) the backfill's own, the whole repository
   * for one never started. Refused (invalid_transition) when a scope is given and the backfill was started with
   * another one and not cancelled since.
   */
  startBackfill(
    repositoryId: number,
    fieldProfile: FieldProfile,
    scope?: BackfillScope,
  ): Promise<BackfillScope>;
  /** a pending chunk, or a running one whose holder's session is gone (taken over with a new fencing token) */
  claimChunk(input: ClaimChunkInput): Promise<ChunkLease | null>;
  /** the running leases of the given repositories (all when omitted) */
  leases(repositoryIds?: number[]): Promise<LeaseRow[]>;
  heartbeat(chunkId: number, fencingToken: string, leaseSeconds: number): Promise<string>;
  commitPage(input: CommitPageInput): Promise<CommitPageResult>;
  /** ends a chunk that spent its page allowance and queues the next one, continuing at the same cursor */
  completeChunk(chunkId: number, fencingToken: string): Promise<void>;
  /** graceful stop: the chunk goes back to pending with its cursor, attempts unchanged */
  releaseChunk(chunkId: number, fencingToken: string): Promise<void>;
  failChunk(input: FailChunkInput): Promise<FailChunkResult>;
  /**
   * `heldBy`: the lease of the worker pausing (or failing) the backfill it works on; refused as stale_lease when
   * another worker holds the backfill now. Operators pass none.
   */
  /** resumeAt null: until someone resumes it (an operator's open-ended pause) */
  pauseRepository(
    repositoryId: number,
    reason: string,
    resumeAt: Date | null,
    heldBy?: LeaseRef,
  ): Promise<void>;
  /** a failed, stalled or cancelled backfill back to work from its cursor, its chunk's counts reset */
  retryBackfill(repositoryId: number): Promise<RepositoryRow>;
  /**
   * One failed or stalled chunk back to work, its counts reset, and its backfill with it; refused
   * (invalid_transition) for any other chunk, or one its backfill went on past. Answers its repository afterwards.
   */
  retryChunk(chunkId: number): Promise<RepositoryRow>;
  /** out of the tracked set: no run selects or claims it; `trackRepository` brings it back where it was */
  untrackRepository(repositoryId: number): Promise<RepositoryRow>;
  resumeRepository(repositoryId: number): Promise<void>;
  cancelBackfill(repositoryId: number, reason: string): Promise<void>;
  /** marks the backfill failed for a fatal error (bad credentials, repository gone) */
  failBackfill(repositoryId: number, error: string, heldBy?: LeaseRef): Promise<void>;
  recoverStuckChunks(input: { requeueLimit: number; graceSeconds: number }): Promise<RecoverResult>;
  /** where the refresh stands (watermark, and the refresh in progress if any) */
  refreshPosition(repositoryId: number): Promise<RefreshPosition>;
  /** refused as cursor_conflict when another worker moved (or finished) the refresh since `expectedCursor` */
  commitRefresh(input: RefreshCommitInput): Promise<RefreshCommitResult>;
  /** the oldest queued follow-ups of a repository */
  listFollowUps(repositoryId: number, limit: number): Promise<FollowUpTask[]>;
  commitFollowUps(input: CommitFollowUpsInput): Promise<CommitFollowUpsResult>;
  /**
   * One webhook delivery, once: records its id, tracks (or renames, unless the stored name is newer) the repository
   * and upserts its pull requests, all in one transaction. A delivery id seen before changes nothing.
   */
  receiveWebhook(input: WebhookDeliveryInput): Promise<WebhookReceipt>;
  /**
   * One webhook delivery that creates or edits a review or a comment, once, as the backfill would store it; ignored
   * (nothing recorded) when its repository is not tracked or its pull request (or review) not stored.
   */
  receiveChildWebhook(input: ChildWebhookInput): Promise<ChildWebhookReceipt>;
  /** One webhook delivery that deletes a comment, once; the comment is remembered so no late delivery restores it. */
  receiveCommentDeletion(input: CommentDeletionInput): Promise<ChildWebhookReceipt>;
  /** upsert outside any chunk (webhooks) */
  upsertPullRequests(
    repositoryId: number,
    prs: PullRequestRecord[],
  ): Promise<{ inserted: number; updated: number }>;
  startRun(input: StartRunInput): Promise<number>;
  /** a run that holds no lease (refreshing, waiting for the rate-limit reset) is still alive */
  heartbeatRun(runId: number): Promise<void>;
  /** also after recovery marked the run interrupted while it was alive: the run's own outcome replaces that guess */
  finishRun(input: FinishRunInput): Promise<void>;
  progress(): Promise<ProgressRow[]>;
  /** instantaneous load figures plus cumulative counters, for the engine's database-load health check */
  databaseLoad?(): Promise<{ longRunningQueries: number; lockWaits: number; deadlocks: number }>;
  close(): Promise<void>;
}
