/**
 * A database migrated by the public-schema release (test/fixtures/legacy-migrations, applied as that release's
 * runner did) and holding a backfill in every state moves into progressive_backfill by migration, losing nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { applyMigrations, pgExecutor } from '../../src/store/migrate.ts';
import { createEmptyDatabase } from '../store/empty-database.ts';
import { Jsonb, jsonb, pullRequests } from './fixtures.ts';

const TABLES = ['repositories', 'pull_requests', 'backfill_state', 'backfill_runs', 'backfill_chunks'];
const LEGACY = join(import.meta.dirname, '..', 'fixtures', 'legacy-migrations');

let database: { url: string; drop(): Promise<void> };
let client: pg.Client;

/** `select <schema>.<fn>(p_a => $1, …)`: the result column (the legacy functions live in public). */
async function call<T = unknown>(schema: string, fn: string, args: Record<string, unknown> = {}): Promise<T> {
  const values: unknown[] = [];
  const named = Object.entries(args).map(([name, value]) => {
    const isJson = value instanceof Jsonb;
    values.push(isJson ? JSON.stringify(value.value) : value);
    return `${name} => $${values.length}${isJson ? '::jsonb' : ''}`;
  });
  const { rows } = await client.query(`select ${schema}.${fn}(${named.join(', ')}) as result`, values);
  return rows[0].result as T;
}

/** Every row of the product's tables in `schema`, in key order, plus the counters that hand out ids and tokens. */
async function everything(schema: string) {
  const out: Record<string, unknown> = {};
  for (const table of TABLES) {
    const key = table === 'backfill_state' ? 'repository_id' : 'id';
    out[table] = (await client.query(`select * from ${schema}.${table} order by ${key}`)).rows;
  }
  out.fencing = (
    await client.query(`select last_value, is_called from ${schema}.backfill_fencing_token_seq`)
  ).rows;
  return out;
}

/**
 * `after` cut down to the columns each table had in `before`: later migrations may add columns (empty for old rows,
 * e.g. repositories.name_observed_at), never change or drop the old ones.
 */
/** Columns a later migration drops on purpose (20261203300001: the legacy review and comment summaries). */
const DROPPED: Record<string, string[]> = { pull_requests: ['reviews', 'comments'] };

/** The rows as they are, without the columns that were dropped on purpose. */
function withoutDropped(tables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [
      table,
      (rows as Record<string, unknown>[]).map((row) =>
        Object.fromEntries(Object.entries(row).filter(([column]) => !DROPPED[table]?.includes(column))),
      ),
    ]),
  );
}

function withColumnsOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const cut: Record<string, unknown> = {};
  for (const [table, rows] of Object.entries(after)) {
    const old = before[table] as Record<string, unknown>[] | undefined;
    const columns = old?.[0] ? Object.keys(old[0]) : undefined;
    cut[table] = columns
      ? (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])))
      : rows;
  }
  return cut;
}

/** The legacy release's migrations and ledger, exactly as its runner left them. */
async function installLegacyRelease(): Promise<void> {
  await client.query(`
    create table backfill_migrations (
      version text primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now());
    alter table backfill_migrations enable row level security;`);
  for (const file of (await readdir(LEGACY)).sort()) {
    await client.query(await readFile(join(LEGACY, file), 'utf8'));
    const [version, name] = file.replace(/\.sql$/, '').split(/_(.*)/);
    await client.query('insert into backfill_migrations (version, name, checksum) values ($1, $2, $3)', [
      version,
      name,
      'legacy',
    ]);
  }
}

beforeAll(async () => {
  database = await createEmptyDatabase(inject('adminDatabaseUrl'));
  client = new pg.Client(database.url);
  await client.connect();
  await installLegacyRelease();
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

test('every row, id and fencing token of the public-schema release moves into progressive_backfill', async () => {
  // Written through the legacy release's own functions: a walk under way, a completed one, an idle repository,
  // a retried chunk, a finished run.
  const moving = await call<{ id: number }>('public', 'backfill_track_repository', {
    p_owner: 'octo',
    p_name: 'moving',
    p_github_id: 77,
    p_pr_total_count: 300,
    p_priority: 2,
  });
  const done = await call<{ id: number }>('public', 'backfill_track_repository', {
    p_owner: 'octo',
    p_name: 'done',
    p_pr_total_count: 5,
  });
  await call('public', 'backfill_track_repository', { p_owner: 'octo', p_name: 'idle' });
  const runId = await call<string>('public', 'backfill_start_run', {
    p_trigger: 'test',
    p_trigger_ref: 'legacy',
    p_worker_id: 'old-worker',
    p_dry_run: false,
  });
  const claim = (repositoryId: number) =>
    call<{ chunkId: number; fencingToken: string }>('public', 'backfill_claim_chunk', {
      p_worker_id: 'old-worker',
      p_lease_seconds: 60,
      p_repository_id: repositoryId,
      p_run_id: runId,
    });
  const commit = (
    lease: { chunkId: number; fencingToken: string },
    expected: unknown,
    next: unknown,
    prs: unknown[],
    isDone: boolean,
  ) =>
    call('public', 'backfill_commit_page', {
      p_chunk_id: lease.chunkId,
      p_fencing_token: lease.fencingToken,
      p_expected_cursor: jsonb(expected),
      p_next_cursor: jsonb(next),
      p_prs: jsonb(prs),
      p_points_spent: 2,
      p_skipped_nodes: 0,
      p_github_total_count: null,
      p_done: isDone,
      p_lease_seconds: 60,
      p_run_id: runId,
    });

  await call('public', 'backfill_start_backfill', { p_repository_id: moving.id, p_field_profile: 'core' });
  const first = await claim(moving.id);
  await commit(first, null, { after: 'A' }, pullRequests(1, 20, 5_000_000), false);
  await call('public', 'backfill_complete_chunk', {
    p_chunk_id: first.chunkId,
    p_fencing_token: first.fencingToken,
  });
  const second = await claim(moving.id);
  await commit(second, { after: 'A' }, { after: 'B' }, pullRequests(21, 10, 5_000_000), false);
  await call('public', 'backfill_fail_chunk', {
    p_chunk_id: second.chunkId,
    p_fencing_token: second.fencingToken,
    p_error: 'timeout',
    p_retryable: true,
  });
  await call('public', 'backfill_start_backfill', { p_repository_id: done.id, p_field_profile: 'core' });
  await commit(await claim(done.id), null, { end: true }, pullRequests(1, 5, 6_000_000), true);
  await call('public', 'backfill_finish_run', {
    p_run_id: runId,
    p_outcome: 'partial',
    p_error_summary: jsonb({ reason: 'time budget' }),
  });
  const before = await everything('public');
  expect((before.pull_requests as unknown[]).length).toBe(35);

  await applyMigrations(pgExecutor(client));

  const kept = withoutDropped(before);
  expect(withColumnsOf(kept, await everything('progressive_backfill'))).toEqual(kept);
  const leftovers = await client.query(`
    select (select count(*) from pg_class where relnamespace = 'public'::regnamespace)::int as relations,
           (select count(*) from pg_proc where pronamespace = 'public'::regnamespace)::int as functions`);
  expect(leftovers.rows[0]).toEqual({ relations: 0, functions: 0 });

  // The counters carry on where they stood: no id and no fencing token is ever issued twice.
  const tokens = (before.backfill_chunks as { fencing_token: string }[]).map((c) => BigInt(c.fencing_token));
  const tracked = await call<{ id: number }>('progressive_backfill', 'backfill_track_repository', {
    p_owner: 'octo',
    p_name: 'after-the-move',
  });
  expect(tracked.id).toBeGreaterThan(Math.max(moving.id, done.id));
  await client.query(
    "update progressive_backfill.backfill_chunks set run_at = now() where status = 'pending'",
  );
  const lease = await call<{ fencingToken: string }>('progressive_backfill', 'backfill_claim_chunk', {
    p_worker_id: 'new-worker',
    p_lease_seconds: 60,
    p_repository_id: moving.id,
  });
  expect(BigInt(lease.fencingToken)).toBeGreaterThan(tokens.reduce((a, b) => (a > b ? a : b)));
});
