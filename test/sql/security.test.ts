import { expect, test } from 'vitest';
import { asRole as asRoleIn, expectSqlState, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

const asRole = (role: string, sql: string) => asRoleIn(ctx.client, role, sql);

const OURS = "'progressive_backfill'::regnamespace";

test('nothing of the product is in public: every table, view, sequence and function is in progressive_backfill', async () => {
  const { rows } = await ctx.client.query(`
    select (select count(*) from pg_class where relnamespace = 'public'::regnamespace)::int as relations,
           (select count(*) from pg_proc where pronamespace = 'public'::regnamespace)::int as functions,
           (select count(*) from pg_class where relnamespace = ${OURS} and relkind in ('r', 'v', 'S'))::int as ours`);
  expect(rows[0]).toMatchObject({ relations: 0, functions: 0 });
  expect(rows[0].ours).toBeGreaterThanOrEqual(10);
});

test('row-level security is on for every table, with no policy: only the owner sees rows', async () => {
  const { rows } = await ctx.client.query(`
    select c.relname, c.relrowsecurity
    from pg_class c
    where c.relnamespace = ${OURS} and c.relkind in ('r', 'p')`);
  expect(rows.map((r) => r.relname)).toEqual(
    expect.arrayContaining([
      'repositories',
      'pull_requests',
      'backfill_state',
      'backfill_chunks',
      'backfill_runs',
      'schema_migrations',
    ]),
  );
  expect(rows.filter((r) => !r.relrowsecurity)).toEqual([]);
  const policies = await ctx.client.query(
    `select * from pg_policies where schemaname = 'progressive_backfill'`,
  );
  expect(policies.rows).toEqual([]);
});

test('views run with the invoker’s rights', async () => {
  const { rows } = await ctx.client.query(`
    select c.relname, c.reloptions from pg_class c where c.relnamespace = ${OURS} and c.relkind = 'v'`);
  expect(rows.length).toBeGreaterThanOrEqual(4);
  for (const row of rows) expect(row.reloptions).toContain('security_invoker=true');
});

test('anon and authenticated hold no privilege on the schema or anything in it, and read nothing', async () => {
  const { rows } = await ctx.client.query(`
    select r.rolname as role,
           has_schema_privilege(r.rolname, 'progressive_backfill', 'usage') as schema_usage,
           (select count(*) from pg_class c
             where c.relnamespace = ${OURS} and c.relkind in ('r', 'v')
               and has_table_privilege(r.rolname, c.oid, 'select, insert, update, delete, truncate, references, trigger'))::int as tables,
           (select count(*) from pg_sequences s
             where s.schemaname = 'progressive_backfill'
               and has_sequence_privilege(r.rolname, format('%I.%I', s.schemaname, s.sequencename),
                                          'usage, select, update'))::int as sequences,
           (select count(*) from pg_proc p
             where p.pronamespace = ${OURS} and has_function_privilege(r.rolname, p.oid, 'execute'))::int as functions
    from pg_roles r where r.rolname in ('anon', 'authenticated')
    order by 1`);
  expect(rows).toEqual([
    { role: 'anon', schema_usage: false, tables: 0, sequences: 0, functions: 0 },
    { role: 'authenticated', schema_usage: false, tables: 0, sequences: 0, functions: 0 },
  ]);
  await ctx.client.query(
    "select progressive_backfill.backfill_track_repository(p_owner => 'octo', p_name => 'hidden')",
  );
  for (const role of ['anon', 'authenticated']) {
    await expectSqlState(asRole(role, 'select * from progressive_backfill.repositories'), '42501');
    await expectSqlState(
      asRole(role, 'select * from progressive_backfill.backfill_repository_progress'),
      '42501',
    );
    await expectSqlState(asRole(role, 'select progressive_backfill.backfill_progress()'), '42501');
  }
});

test('the service role executes exactly the contract (backfill_*), never a helper, and reads no table', async () => {
  const { rows } = await ctx.client.query(`
    select p.proname, has_function_privilege('service_role', p.oid, 'execute') as callable
    from pg_proc p where p.pronamespace = ${OURS} order by 1`);
  const wrong = rows.filter((r) => r.callable !== r.proname.startsWith('backfill_'));
  expect(wrong).toEqual([]);
  expect(rows.filter((r) => r.callable).length).toBeGreaterThan(20);
  await expectSqlState(
    asRole(
      'service_role',
      "select progressive_backfill.upsert_prs(p_repository_id => 1, p_prs => '[]'::jsonb)",
    ),
    '42501',
  );
  await expectSqlState(asRole('service_role', 'select * from progressive_backfill.pull_requests'), '42501');
  const { rows: version } = await asRole(
    'service_role',
    'select progressive_backfill.backfill_schema_version() as v',
  );
  expect(Number(version[0].v)).toBeGreaterThan(0);
});

// The operator's functions run with the caller's rights: only the owner, who may do all they do anyway, can call them.
const OPERATOR_FUNCTIONS = ['apply_privileges', 'grant_read', 'revoke_read'];

test('every function runs with an empty search_path; all but the operator’s own as security definer', async () => {
  const { rows } = await ctx.client.query(`
    select p.proname, p.prosecdef, p.proconfig from pg_proc p where p.pronamespace = ${OURS}`);
  const loose = rows.filter(
    (r) =>
      !(r.proconfig ?? []).includes('search_path=""') ||
      r.prosecdef === OPERATOR_FUNCTIONS.includes(r.proname),
  );
  expect(loose).toEqual([]);
});
