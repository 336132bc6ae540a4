/**
 * The one `Store` implementation. Every method is exactly one call of a `backfill_*` SQL function with named `p_*`
 * arguments; the adapters (pg, PGlite, Supabase) only differ in how they carry that call, so they cannot drift.
 */

import type { FollowUpTask } from '../domain/children.ts';
import type { PullRequestRecord } from '../domain/pull-request.ts';
import { redactJson, redactSecrets } from '../domain/redact.ts';
import type { BackfillScope } from '../domain/scope.ts';
import { EXPECTED_SCHEMA_VERSION } from './schema-version.ts';
import {
  type ChildWebhookReceipt,
  type ChunkLease,
  type CommitFollowUpsResult,
  type CommitPageResult,
  type FailChunkResult,
  type LeaseRef,
  type LeaseRow,
  type ProgressRow,
  type RecoverResult,
  type RefreshCommitResult,
  type RefreshPosition,
  type RepositoryCandidate,
  type RepositoryRow,
  type Store,
  StoreError,
  type StoreErrorCode,
  type WebhookReceipt,
} from './types.ts';

/**
 * Marks an argument whose SQL type is jsonb: SQL transports send it as JSON text cast to jsonb, PostgREST as JSON.
 * Either way its strings are made storable (postgres-text.ts): text from GitHub may hold what Postgres refuses.
 */
export class JsonbArg {
  constructor(readonly value: unknown) {}
}

export function jsonb(value: unknown): JsonbArg {
  return new JsonbArg(value);
}

/**
 * Marks a page's pull requests, whose SQL type is `progressive_backfill.pr_row[]` (pr-rows.ts): a direct connection
 * sends them as binary rows, SQL transports without that as JSON turned into rows by `backfill_pr_rows`, PostgREST as
 * the JSON array of objects it turns into rows itself.
 */
export class PrRowsArg {
  constructor(readonly value: readonly PullRequestRecord[]) {}
}

export interface RpcTransport {
  readonly kind: Store['kind'];
  readonly pageLimits?: Store['pageLimits'];
  /** Calls `fn` with named arguments; resolves to the function's result (null for void). */
  call<T>(fn: string, args: Record<string, unknown>): Promise<T>;
  /**
   * The key this worker's own database session holds for as long as it lives (holder-session.ts), named in its
   * claims so that others can tell when it is gone. Absent where no session outlives a call (PostgREST).
   */
  holderKey?(): Promise<string>;
  close(): Promise<void>;
}

export interface RpcStoreOptions {
  /**
   * Strings (passwords, keys, the GitHub token) scrubbed from every error message, whatever the driver put there,
   * and from every error text the store writes (failed chunks and backfills, pauses, run summaries).
   */
  secrets?: readonly string[];
}

const MIGRATE_HINT =
  'run `npx progressive-backfill migrate --database-url <postgres url>` (or apply supabase/migrations with the Supabase CLI: `supabase db push`)';

const SQLSTATE_CODES: Record<string, StoreErrorCode> = {
  PB001: 'stale_lease',
  PB002: 'cursor_conflict',
  PB003: 'invalid_transition',
  PB004: 'invalid_input',
  '42883': 'schema_missing', // undefined_function
  '42P01': 'schema_missing', // undefined_table
  '3F000': 'schema_missing', // invalid_schema_name
  PGRST106: 'schema_missing', // PostgREST: the schema is not exposed
  PGRST202: 'schema_missing', // PostgREST: function not in its schema cache
  PGRST205: 'schema_missing', // PostgREST: table not in its schema cache
  '3D000': 'connection', // the database does not exist
  '53300': 'connection', // too many connections
  '57P01': 'connection', // admin shutdown
  '57P02': 'connection',
  '57P03': 'connection', // cannot connect now (starting up)
};

/** SQLSTATE classes 08 (connection exception) and 28 (invalid authorization). */
const CONNECTION_CLASSES = ['08', '28'];

/** Node socket and DNS errors. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** node-postgres reports dropped connections and pool timeouts by message only. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout expired/i,
  /fetch failed/i,
  /connect(ion)? timeout/i,
];

interface FailureFields {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  cause?: unknown;
}

function classify(error: unknown): StoreErrorCode | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, status, cause } = error as FailureFields;
  if (typeof code === 'string' && code !== '') {
    const mapped = SQLSTATE_CODES[code];
    if (mapped) return mapped;
    if (CONNECTION_CLASSES.includes(code.slice(0, 2)) && /^[0-9A-Z]{5}$/.test(code)) return 'connection';
    if (NETWORK_CODES.has(code)) return 'connection';
  }
  // An HTTP transport: status 0 is a network failure, 401/403 without a SQLSTATE a rejected key, 5xx a gateway.
  if (typeof status === 'number' && (code === undefined || code === '' || code === null)) {
    if (status === 0 || status === 401 || status === 403 || status >= 500) return 'connection';
  }
  if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) {
    return 'connection';
  }
  // AggregateError (happy-eyeballs connects) and fetch's TypeError carry the socket error as a cause.
  if (cause !== undefined && cause !== error) return classify(cause) === 'connection' ? 'connection' : null;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.some((inner) => classify(inner) === 'connection')) return 'connection';
  return null;
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as FailureFields;
    if (typeof message === 'string' && message !== '') return message;
    if (typeof code === 'string' && code !== '') return code;
  }
  return String(error);
}

/**
 * The single place where driver and PostgREST failures become `StoreError`s. The original error stays as `cause`
 * for debugging: drivers put SQLSTATE, detail and hint there, never the connection string or the key.
 */
export function toStoreError(fn: string, error: unknown, secrets: readonly string[] = []): Error {
  if (error instanceof StoreError) return error;
  const code = classify(error);
  const detail = redactSecrets(describe(error), secrets);
  const options = { cause: error };
  if (code === 'schema_missing') {
    return new StoreError(
      code,
      `the progressive-backfill schema is missing (${detail}): ${MIGRATE_HINT}`,
      options,
    );
  }
  if (code === 'connection') {
    return new StoreError(code, `cannot reach the database while calling ${fn}: ${detail}`, options);
  }
  if (code) return new StoreError(code, `${fn}: ${detail}`, options);
  // Unexpected failures (a bug, a constraint the functions should have caught) are not StoreErrors.
  return new Error(`${fn} failed: ${detail}`, options);
}

/** The fencing arguments of a backfill-level call made by a worker; none for an operator's. */
function leaseArgs(lease: LeaseRef | undefined): Record<string, unknown> {
  return lease ? { p_chunk_id: lease.chunkId, p_fencing_token: lease.fencingToken } : {};
}

export function createRpcStore(transport: RpcTransport, options: RpcStoreOptions = {}): Store {
  const secrets = options.secrets ?? [];

  async function call<T>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
    try {
      return await transport.call<T>(fn, args);
    } catch (error) {
      throw toStoreError(fn, error, secrets);
    }
  }

  // Error text comes from GitHub, drivers and our own messages: no secret it carries may reach a table.
  const errorText = (text: string) => redactSecrets(text, secrets);

  return {
    kind: transport.kind,
    ...(transport.pageLimits ? { pageLimits: transport.pageLimits } : {}),

    async assertSchema() {
      // A newer schema is fine: migrations are additive, and a function the code calls that has changed fails alone.
      const version = Number(await call<number | string | null>('backfill_schema_version'));
      if (version < EXPECTED_SCHEMA_VERSION) {
        throw new StoreError(
          'schema_missing',
          `the database schema is at version ${version}, this progressive-backfill needs ${EXPECTED_SCHEMA_VERSION}: ${MIGRATE_HINT}`,
        );
      }
    },

    trackRepository(input) {
      return call<RepositoryRow>('backfill_track_repository', {
        p_owner: input.owner,
        p_name: input.name,
        p_github_id: input.githubId,
        p_node_id: input.nodeId,
        p_pr_total_count: input.prTotalCount,
        p_priority: input.priority ?? null,
      });
    },

    getRepository(ref) {
      const args = 'id' in ref ? { p_repository_id: ref.id } : { p_owner: ref.owner, p_name: ref.name };
      return call<RepositoryRow | null>('backfill_get_repository', args);
    },

    async updateRepositoryCounts(repositoryId, prTotalCount) {
      await call('backfill_update_repository_counts', {
        p_repository_id: repositoryId,
        p_pr_total_count: prTotalCount,
      });
    },

    async selectRepositories(input) {
      const rows = await call<RepositoryCandidate[] | null>('backfill_select_repositories', {
        p_threshold: input.threshold,
        p_min_prs: input.minPrs,
        p_limit: input.limit,
        p_repository_ids: input.repositoryIds ?? null,
        ...(input.refreshAfterSeconds === undefined
          ? {}
          : { p_refresh_after_seconds: input.refreshAfterSeconds }),
      });
      return rows ?? [];
    },

    async startBackfill(repositoryId, fieldProfile, scope) {
      const state = await call<{ scope: BackfillScope }>('backfill_start_backfill', {
        p_repository_id: repositoryId,
        p_field_profile: fieldProfile,
        p_scope: scope === undefined ? null : jsonb(scope),
      });
      return state.scope;
    },

    async claimChunk(input) {
      let holderKey: string | null = null;
      try {
        holderKey = transport.holderKey ? await transport.holderKey() : null;
      } catch (error) {
        throw toStoreError('backfill_claim_chunk', error, secrets);
      }
      return call<ChunkLease | null>('backfill_claim_chunk', {
        p_worker_id: input.workerId,
        p_lease_seconds: input.leaseSeconds,
        p_repository_id: input.repositoryId ?? null,
        p_run_id: input.runId ?? null,
        p_holder_key: holderKey,
      });
    },

    async leases(repositoryIds) {
      return (
        (await call<LeaseRow[] | null>('backfill_leases', { p_repository_ids: repositoryIds ?? null })) ?? []
      );
    },

    async heartbeat(chunkId, fencingToken, leaseSeconds) {
      const result = await call<{ leaseExpiresAt: string }>('backfill_heartbeat', {
        p_chunk_id: chunkId,
        p_fencing_token: fencingToken,
        p_lease_seconds: leaseSeconds,
      });
      return result.leaseExpiresAt;
    },

    commitPage(input) {
      return call<CommitPageResult>('backfill_commit_page', {
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_expected_cursor: jsonb(input.expectedCursor),
        p_next_cursor: jsonb(input.nextCursor),
        p_prs: new PrRowsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_skipped_nodes: input.skippedNodes,
        p_github_total_count: input.githubTotalCount,
        p_done: input.done,
        p_lease_seconds: input.leaseSeconds,
        p_run_id: input.runId,
        ...(input.children && { p_children: jsonb(input.children) }),
      });
    },

    async completeChunk(chunkId, fencingToken) {
      await call('backfill_complete_chunk', { p_chunk_id: chunkId, p_fencing_token: fencingToken });
    },

    async releaseChunk(chunkId, fencingToken) {
      await call('backfill_release_chunk', { p_chunk_id: chunkId, p_fencing_token: fencingToken });
    },

    failChunk(input) {
      return call<FailChunkResult>('backfill_fail_chunk', {
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_error: errorText(input.error),
        p_retryable: input.retryable,
        p_max_failures: input.maxFailures,
      });
    },

    async pauseRepository(repositoryId, reason, resumeAt, heldBy) {
      await call('backfill_pause', {
        p_repository_id: repositoryId,
        p_reason: errorText(reason),
        p_resume_at: resumeAt ? resumeAt.toISOString() : 'infinity',
        ...leaseArgs(heldBy),
      });
    },

    async resumeRepository(repositoryId) {
      await call('backfill_resume', { p_repository_id: repositoryId });
    },

    retryBackfill(repositoryId) {
      return call<RepositoryRow>('backfill_retry', { p_repository_id: repositoryId });
    },

    retryChunk(chunkId) {
      return call<RepositoryRow>('backfill_retry_chunk', { p_chunk_id: chunkId });
    },

    untrackRepository(repositoryId) {
      return call<RepositoryRow>('backfill_untrack', { p_repository_id: repositoryId });
    },

    async cancelBackfill(repositoryId, reason) {
      await call('backfill_cancel', { p_repository_id: repositoryId, p_reason: errorText(reason) });
    },

    async failBackfill(repositoryId, error, heldBy) {
      await call('backfill_fail_backfill', {
        p_repository_id: repositoryId,
        p_error: errorText(error),
        ...leaseArgs(heldBy),
      });
    },

    recoverStuckChunks(input) {
      return call<RecoverResult>('backfill_recover_stuck_chunks', {
        p_requeue_limit: input.requeueLimit,
        p_grace_seconds: input.graceSeconds,
      });
    },

    refreshPosition(repositoryId) {
      return call<RefreshPosition>('backfill_refresh_position', { p_repository_id: repositoryId });
    },

    commitRefresh(input) {
      return call<RefreshCommitResult>('backfill_commit_refresh', {
        p_repository_id: input.repositoryId,
        p_expected_cursor: input.expectedCursor,
        p_next_cursor: input.nextCursor,
        p_target_watermark: input.targetWatermark,
        p_holder: input.holder,
        p_prs: new PrRowsArg(input.prs),
        p_points_spent: input.pointsSpent,
        p_removed: jsonb(
          (input.removed ?? []).map((pr) => ({ github_id: pr.github_id, updated_at: pr.updated_at })),
        ),
        p_run_id: input.runId,
        ...(input.children && { p_children: jsonb(input.children) }),
      });
    },

    listFollowUps(repositoryId, limit) {
      return call<FollowUpTask[]>('backfill_list_follow_ups', {
        p_repository_id: repositoryId,
        p_limit: limit,
      });
    },

    commitFollowUps(input) {
      return call<CommitFollowUpsResult>('backfill_commit_follow_ups', {
        p_repository_id: input.repositoryId,
        p_chunk_id: input.chunkId,
        p_fencing_token: input.fencingToken,
        p_pages: jsonb(input.pages),
        p_points_spent: input.pointsSpent,
        p_walk_done: input.walkDone,
        p_lease_seconds: input.leaseSeconds,
        p_run_id: input.runId,
      });
    },

    receiveWebhook(input) {
      return call<WebhookReceipt>('backfill_receive_webhook', {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_github_id: input.repository.githubId,
        p_node_id: input.repository.nodeId,
        p_observed_at: input.observedAt,
        p_prs: jsonb(input.prs),
      });
    },

    receiveChildWebhook(input) {
      return call<ChildWebhookReceipt>('backfill_receive_child', {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_repository_github_id: input.repository.githubId,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_pull_request_github_id: 'githubId' in input.pullRequest ? input.pullRequest.githubId : null,
        p_pull_request_number: 'number' in input.pullRequest ? input.pullRequest.number : null,
        p_contributors: jsonb(input.contributors),
        p_review: 'review' in input.child ? jsonb(input.child.review) : null,
        p_comment: 'comment' in input.child ? jsonb(input.child.comment) : null,
      });
    },

    receiveCommentDeletion(input) {
      return call<ChildWebhookReceipt>('backfill_receive_comment_deletion', {
        p_delivery_id: input.deliveryId,
        p_event: input.event,
        p_repository_github_id: input.repository.githubId,
        p_owner: input.repository.owner,
        p_name: input.repository.name,
        p_kind: input.kind,
        p_github_id: input.githubId,
      });
    },

    upsertPullRequests(repositoryId, prs) {
      return call<{ inserted: number; updated: number }>('backfill_upsert_pull_requests', {
        p_repository_id: repositoryId,
        p_prs: jsonb(prs),
      });
    },

    async startRun(input) {
      const id = await call<number | string>('backfill_start_run', {
        p_trigger: input.trigger,
        p_trigger_ref: input.triggerRef,
        p_worker_id: input.workerId,
        p_dry_run: input.dryRun,
      });
      return Number(id);
    },

    async heartbeatRun(runId) {
      await call('backfill_heartbeat_run', { p_run_id: runId });
    },

    async finishRun(input) {
      await call('backfill_finish_run', {
        p_run_id: input.runId,
        p_outcome: input.outcome,
        p_error_summary: jsonb(redactJson(input.errorSummary ?? null, secrets)),
      });
    },

    async progress() {
      return (await call<ProgressRow[] | null>('backfill_progress')) ?? [];
    },

    databaseLoad() {
      return call<{ longRunningQueries: number; lockWaits: number; deadlocks: number }>(
        'backfill_database_load',
      );
    },

    close() {
      return transport.close();
    },
  };
}
