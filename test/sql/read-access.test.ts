import { afterAll, beforeAll, expect, test } from 'vitest';
import { asRole as asRoleIn, expectSqlState, startedRepository, useDatabase } from './fixtures.ts';

const ctx = useDatabase();

// Roles are cluster-wide: a name of this process's own keeps parallel test files apart.
const DASHBOARD = `dashboard_${process.pid}`;

const asRole = (role: string, sql: string) => asRoleIn(ctx.client, role, sql);

const EVERYTHING = [
  'repositories',
  'pull_requests',
  'backfill_state',
  'backfill_chunks',
  'backfill_runs',
  'backfill_repository_progress',
  'backfill_problem_chunks',
];

beforeAll(async () => {
  await ctx.client.query(`create role ${DASHBOARD} nologin`);
  await startedRepository(ctx.client);
});
afterAll(async () => {
  await ctx.client.query(`select progressive_backfill.revoke_read('${DASHBOARD}')`).catch(() => {});
  await ctx.client.query(`drop role if exists ${DASHBOARD}`);
});

test('grant_read gives a dashboard role every row; anon and authenticated still read nothing; revoke_read ends it', async () => {
  for (const role of ['anon', 'authenticated', DASHBOARD]) {
    await expectSqlState(asRole(role, 'select * from progressive_backfill.repositories'), '42501');
  }

  await ctx.client.query(`select progressive_backfill.grant_read('${DASHBOARD}')`);
  await ctx.client.query(`select progressive_backfill.grant_read('${DASHBOARD}')`); // repeating changes nothing
  for (const relation of EVERYTHING) {
    const owner = await ctx.client.query(`select count(*)::int as n from progressive_backfill.${relation}`);
    const read = await asRole(DASHBOARD, `select count(*)::int as n from progressive_backfill.${relation}`);
    expect(read.rows[0].n, relation).toBe(owner.rows[0].n);
  }
  const { rows } = await asRole(
    DASHBOARD,
    'select count(*)::int as n from progressive_backfill.repositories',
  );
  expect(rows[0].n).toBeGreaterThan(0);
  await expectSqlState(
    asRole(DASHBOARD, 'update progressive_backfill.repositories set priority = 9'),
    '42501',
  );
  await expectSqlState(asRole(DASHBOARD, 'select progressive_backfill.backfill_progress()'), '42501');
  for (const role of ['anon', 'authenticated']) {
    await expectSqlState(asRole(role, 'select * from progressive_backfill.repositories'), '42501');
  }

  await ctx.client.query(`select progressive_backfill.revoke_read('${DASHBOARD}')`);
  await expectSqlState(asRole(DASHBOARD, 'select * from progressive_backfill.repositories'), '42501');
  const policies = await ctx.client.query(
    "select count(*)::int as n from pg_policies where schemaname = 'progressive_backfill'",
  );
  expect(policies.rows[0].n).toBe(0);
});

test('with select granted by hand but no grant_read, row-level security still shows authenticated zero rows', async () => {
  await ctx.client.query('begin');
  try {
    await ctx.client.query('grant usage on schema progressive_backfill to authenticated');
    await ctx.client.query(
      'grant select on progressive_backfill.pull_requests, progressive_backfill.repositories to authenticated',
    );
    await ctx.client.query('set local role authenticated');
    const { rows } = await ctx.client.query(
      'select (select count(*) from progressive_backfill.repositories)::int as repositories',
    );
    expect(rows[0].repositories).toBe(0);
  } finally {
    await ctx.client.query('rollback');
  }
});

test('a later migration keeps a reader’s access (apply_privileges grants it again)', async () => {
  await ctx.client.query(`select progressive_backfill.grant_read('${DASHBOARD}')`);
  try {
    await ctx.client.query('select progressive_backfill.apply_privileges()');
    const { rows } = await asRole(
      DASHBOARD,
      'select count(*)::int as n from progressive_backfill.repositories',
    );
    expect(rows[0].n).toBeGreaterThan(0);
  } finally {
    await ctx.client.query(`select progressive_backfill.revoke_read('${DASHBOARD}')`);
  }
});

test('grant_read refuses a role that does not exist, and service_role (PB004); nobody else may call it', async () => {
  await expectSqlState(
    ctx.client.query("select progressive_backfill.grant_read('no_such_role_xyz')"),
    'PB004',
  );
  await expectSqlState(ctx.client.query("select progressive_backfill.grant_read('service_role')"), 'PB004');
  for (const role of ['anon', 'authenticated', 'service_role']) {
    await expectSqlState(asRole(role, `select progressive_backfill.grant_read('${role}')`), '42501');
  }
});
