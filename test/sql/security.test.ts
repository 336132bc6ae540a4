import { expect, test } from 'vitest';
import { EXPECTED_SCHEMA_VERSION } from '../../src/store/schema-version.ts';
import { expectSqlState, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

/** Runs `sql` as `role` inside a rolled-back transaction. */
async function asRole(role: string, sql: string) {
  await ctx.client.query('begin');
  try {
    await ctx.client.query(`set local role ${role}`);
    return await ctx.client.query(sql);
  } finally {
    await ctx.client.query('rollback');
  }
}

test('row-level security is enabled on every table', async () => {
  const { rows } = await ctx.client.query(`
    select c.relname, c.relrowsecurity
    from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')`);
  expect(rows.map((r) => r.relname)).toEqual(
    expect.arrayContaining([
      'repositories',
      'pull_requests',
      'backfill_state',
      'backfill_chunks',
      'backfill_runs',
      'backfill_migrations',
    ]),
  );
  expect(rows.filter((r) => !r.relrowsecurity)).toEqual([]);
});

test('views run with the invoker’s rights', async () => {
  const { rows } = await ctx.client.query(`
    select c.relname, c.reloptions
    from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'`);
  expect(rows.length).toBeGreaterThanOrEqual(3);
  for (const row of rows) expect(row.reloptions).toContain('security_invoker=true');
});

test('anon and authenticated cannot execute any backfill function', async () => {
  const { rows } = await ctx.client.query(`
    select p.oid::regprocedure::text as fn,
           has_function_privilege('anon', p.oid, 'execute') as anon,
           has_function_privilege('authenticated', p.oid, 'execute') as authenticated
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.proname like 'backfill\\_%'`);
  expect(rows.length).toBeGreaterThan(20);
  expect(rows.filter((r) => r.anon || r.authenticated)).toEqual([]);
  await expectSqlState(asRole('anon', 'select backfill_schema_version()'), '42501');
  await expectSqlState(asRole('anon', 'select backfill_progress()'), '42501');
});

test('the service role executes the contract, but not the internal helpers', async () => {
  const { rows } = await asRole('service_role', 'select backfill_schema_version() as v');
  expect(rows[0].v).toBe(EXPECTED_SCHEMA_VERSION);
  await expectSqlState(
    asRole('service_role', "select backfill_upsert_prs(p_repository_id => 1, p_prs => '[]'::jsonb)"),
    '42501',
  );
  const helpers = await ctx.client.query(`
    select p.proname from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.proname like 'backfill\\_%'
      and not has_function_privilege('service_role', p.oid, 'execute')
    order by 1`);
  expect(helpers.rows.map((r) => r.proname)).toContain('backfill_upsert_prs');
  const contract = await ctx.client.query(`
    select count(*)::int as n from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and p.proname in ('backfill_claim_chunk', 'backfill_commit_page', 'backfill_track_repository')
      and has_function_privilege('service_role', p.oid, 'execute')`);
  expect(contract.rows[0].n).toBe(3);
});

test('every backfill function is security definer with a pinned search_path', async () => {
  const { rows } = await ctx.client.query(`
    select p.proname, p.prosecdef, p.proconfig
    from pg_proc p
    where p.pronamespace = 'public'::regnamespace and p.proname like 'backfill\\_%'`);
  const loose = rows.filter(
    (r) => !r.prosecdef || !(r.proconfig ?? []).includes('search_path=public, pg_temp'),
  );
  expect(loose).toEqual([]);
});

test('dashboards (authenticated) may read tables; anon may not; neither may write', async () => {
  await ctx.client.query("select backfill_track_repository(p_owner => 'octo', p_name => 'visible')");
  const read = await asRole('authenticated', 'select full_name from repositories');
  expect(read.rows.map((r) => r.full_name)).toContain('octo/visible');
  await expectSqlState(asRole('anon', 'select * from repositories'), '42501');
  await expectSqlState(asRole('authenticated', 'update repositories set priority = 9'), '42501');
  const progress = await asRole('authenticated', 'select * from backfill_repository_completion');
  expect(progress.rowCount).toBeGreaterThan(0);
});
