/**
 * Small helpers for the SQL contract tests: named-argument calls, deterministic pull requests and the usual
 * set-ups (a tracked repository, a started backfill, a claimed chunk).
 */
import type pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import type { ChunkLease, CommitPageResult, RepositoryRow } from '../../src/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** One database for the whole file; tests keep apart by using their own repositories. */
export function useDatabase(): { readonly client: pg.Client; readonly db: TestDatabase } {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error('database not ready');
      return db;
    },
    get client() {
      if (!db) throw new Error('database not ready');
      return db.client;
    },
  };
}

/** Marks an argument to send as JSON text (node-postgres would turn a JS array into a Postgres array). */
export class Jsonb {
  constructor(readonly value: unknown) {}
}
export const jsonb = (value: unknown) => new Jsonb(value);

/** Marks a page of pull requests (SQL type pr_row[]): sent as JSON and turned into rows by backfill_pr_rows. */
export class PrRows {
  constructor(readonly value: unknown) {}
}
export const prRows = (value: unknown) => new PrRows(value);

/** `select fn(p_a => $1, …)`: the result column, parsed by node-postgres (jsonb comes back as objects). */
export async function rpc<T = unknown>(
  client: pg.ClientBase,
  fn: string,
  args: Record<string, unknown> = {},
) {
  const values: unknown[] = [];
  const named = Object.entries(args).map(([name, value]) => {
    if (!(value instanceof PrRows || value instanceof Jsonb)) {
      values.push(value);
      return `${name} => $${values.length}`;
    }
    values.push(value.value === null ? null : JSON.stringify(value.value));
    const json = `$${values.length}::jsonb`;
    return value instanceof PrRows
      ? `${name} => progressive_backfill.backfill_pr_rows(${json})`
      : `${name} => ${json}`;
  });
  const { rows } = await client.query(
    `select progressive_backfill.${fn}(${named.join(', ')}) as result`,
    values,
  );
  return rows[0].result as T;
}

/** Runs `sql` as `role` inside a transaction that is rolled back, whatever happens. */
export async function asRole(client: pg.ClientBase, role: string, sql: string) {
  await client.query('begin');
  try {
    await client.query(`set local role ${role}`);
    return await client.query(sql);
  } finally {
    await client.query('rollback');
  }
}

/** Asserts the promise fails with the given SQLSTATE (PB001…PB004, 42501, …). */
export async function expectSqlState(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

let sequence = 0;
/** A unique, valid repository name per call within a test process. */
export function uniqueName(prefix = 'repo'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}`;
}

export function pullRequest(number: number, overrides: Partial<PullRequestRecord> = {}): PullRequestRecord {
  const day = String((number % 28) + 1).padStart(2, '0');
  return {
    github_id: String(1_000_000_000 + number),
    node_id: `PR_node_${number}`,
    number,
    title: `Pull request ${number}`,
    body: `Body of ${number}`,
    state: number % 3 === 0 ? 'MERGED' : number % 3 === 1 ? 'OPEN' : 'CLOSED',
    is_draft: number % 5 === 0,
    created_at: `2024-01-${day}T10:00:00.000Z`,
    updated_at: `2024-02-${day}T10:00:00.000Z`,
    closed_at: number % 3 === 1 ? null : `2024-02-${day}T09:00:00.000Z`,
    merged_at: number % 3 === 0 ? `2024-02-${day}T09:00:00.000Z` : null,
    author_login: `user${number % 7}`,
    author_github_id: String(500 + (number % 7)),
    author_type: 'User',
    additions: number * 3,
    deletions: number,
    changed_files: (number % 9) + 1,
    base_ref: 'main',
    head_ref: `feature/${number}`,
    url: `https://github.com/octo/repo/pull/${number}`,
    field_profile: 'core',
    ...overrides,
  };
}

/** Pull requests numbered from `first`, `count` of them, with github ids offset by `idBase` to keep files apart. */
export function pullRequests(first: number, count: number, idBase = 0): PullRequestRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const pr = pullRequest(first + i);
    return { ...pr, github_id: String(BigInt(pr.github_id) + BigInt(idBase)) };
  });
}

let idBase = 0;
/** A distinct github-id range per repository, so PR fixtures of different repositories never collide. */
export function nextIdBase(): number {
  idBase += 1;
  return idBase * 10_000_000;
}

export async function trackRepository(
  client: pg.ClientBase,
  args: {
    owner?: string;
    name?: string;
    prTotalCount?: number | null;
    priority?: number;
    githubId?: string;
  } = {},
): Promise<RepositoryRow> {
  return rpc<RepositoryRow>(client, 'backfill_track_repository', {
    p_owner: args.owner ?? 'octo',
    p_name: args.name ?? uniqueName(),
    p_github_id: args.githubId ?? null,
    p_pr_total_count: args.prTotalCount ?? null,
    p_priority: args.priority ?? null,
  });
}

/** A tracked repository with a started backfill (one pending chunk). */
export async function startedRepository(
  client: pg.ClientBase,
  args: { prTotalCount?: number; priority?: number; fieldProfile?: string } = {},
): Promise<RepositoryRow> {
  const repository = await trackRepository(client, {
    prTotalCount: args.prTotalCount ?? 1000,
    priority: args.priority,
  });
  await rpc(client, 'backfill_start_backfill', {
    p_repository_id: repository.id,
    p_field_profile: args.fieldProfile ?? 'core',
  });
  return repository;
}

export async function claim(
  client: pg.ClientBase,
  args: { repositoryId?: number; workerId?: string; leaseSeconds?: number; runId?: number } = {},
): Promise<ChunkLease | null> {
  return rpc<ChunkLease | null>(client, 'backfill_claim_chunk', {
    p_worker_id: args.workerId ?? 'worker-1',
    p_lease_seconds: args.leaseSeconds ?? 60,
    p_repository_id: args.repositoryId ?? null,
    p_run_id: args.runId ?? null,
  });
}

/** Starts a backfill and claims its chunk. */
export async function leasedRepository(
  client: pg.ClientBase,
  args: { prTotalCount?: number; workerId?: string } = {},
): Promise<{ repository: RepositoryRow; lease: ChunkLease }> {
  const repository = await startedRepository(client, args);
  const lease = await claim(client, { repositoryId: repository.id, workerId: args.workerId });
  if (!lease) throw new Error('expected a claimable chunk');
  return { repository, lease };
}

export interface CommitArgs {
  chunkId: number;
  fencingToken: string;
  expectedCursor?: unknown;
  nextCursor?: unknown;
  prs?: unknown[] | unknown;
  pointsSpent?: number;
  skippedNodes?: number;
  githubTotalCount?: number | null;
  done?: boolean;
  leaseSeconds?: number;
  runId?: number | null;
  /** `full` pages: contributors, reviews, comments and follow-ups */
  children?: unknown;
}

export async function commitPage(client: pg.ClientBase, args: CommitArgs): Promise<CommitPageResult> {
  return rpc<CommitPageResult>(client, 'backfill_commit_page', {
    p_chunk_id: args.chunkId,
    p_fencing_token: args.fencingToken,
    p_expected_cursor: jsonb(args.expectedCursor ?? null),
    p_next_cursor: jsonb(args.nextCursor ?? null),
    p_prs: prRows(args.prs ?? []),
    p_points_spent: args.pointsSpent ?? 1,
    p_skipped_nodes: args.skippedNodes ?? 0,
    p_github_total_count: args.githubTotalCount ?? null,
    p_done: args.done ?? false,
    p_lease_seconds: args.leaseSeconds ?? 60,
    p_run_id: args.runId ?? null,
    ...(args.children ? { p_children: jsonb(args.children) } : {}),
  });
}

/** Moves a running chunk's lease into the past, as if its worker had died `secondsAgo` seconds ago. */
export async function expireLease(client: pg.ClientBase, chunkId: number, secondsAgo = 3600): Promise<void> {
  await client.query(
    "update progressive_backfill.backfill_chunks set lease_expires_at = now() - make_interval(secs => $2) where id = $1 and status = 'running'",
    [chunkId, secondsAgo],
  );
}

export async function stateOf(client: pg.ClientBase, repositoryId: number) {
  const { rows } = await client.query(
    'select * from progressive_backfill.backfill_state where repository_id = $1',
    [repositoryId],
  );
  return rows[0];
}

export async function chunkOf(client: pg.ClientBase, chunkId: number) {
  const { rows } = await client.query('select * from progressive_backfill.backfill_chunks where id = $1', [
    chunkId,
  ]);
  return rows[0];
}

export async function countPullRequests(client: pg.ClientBase, repositoryId: number): Promise<number> {
  const { rows } = await client.query(
    'select count(*)::int as n from progressive_backfill.pull_requests where repository_id = $1',
    [repositoryId],
  );
  return rows[0].n;
}

/** A token that was never issued for this lease. */
export function staleToken(lease: { fencingToken: string }): string {
  return String(BigInt(lease.fencingToken) + 1_000_000n);
}

/** Every call a worker makes under a lease, bound to the chunk id and fencing token it was given. */
export function leaseHolder(client: pg.ClientBase, lease: { chunkId: number; fencingToken: string }) {
  const fenced = { p_chunk_id: lease.chunkId, p_fencing_token: lease.fencingToken };
  return {
    commit: (args: Partial<CommitArgs> = {}) =>
      commitPage(client, { ...lease, nextCursor: { after: 'stale-probe' }, ...args }),
    heartbeat: () => rpc(client, 'backfill_heartbeat', { ...fenced, p_lease_seconds: 60 }),
    complete: () => rpc(client, 'backfill_complete_chunk', fenced),
    release: () => rpc(client, 'backfill_release_chunk', fenced),
    fail: () => rpc(client, 'backfill_fail_chunk', { ...fenced, p_error: 'stale probe', p_retryable: true }),
  };
}

/**
 * The worker holding `lease` no longer owns its chunk: every lease-bound call (commit, heartbeat, complete, release,
 * fail) is refused as a stale lease (PB001) and changes nothing.
 */
export async function expectStaleLease(
  client: pg.ClientBase,
  lease: { chunkId: number; fencingToken: string },
): Promise<void> {
  const before = await chunkOf(client, lease.chunkId);
  const holder = leaseHolder(client, lease);
  for (const [call, attempt] of Object.entries(holder)) {
    await expect(attempt(), `${call} with a stale lease`).rejects.toMatchObject({ code: 'PB001' });
  }
  expect(await chunkOf(client, lease.chunkId)).toEqual(before);
}

/** The transition is not allowed from the current state (PB003). */
export async function expectInvalidTransition(promise: Promise<unknown>): Promise<void> {
  await expectSqlState(promise, 'PB003');
}
