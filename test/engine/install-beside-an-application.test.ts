/**
 * The install the product is for: a Supabase-like Postgres that already holds an application's own GitHub tables in
 * public (uuid keys, other columns, rows, row-level security) and Supabase's roles, migrated by a role that is not a
 * superuser. Migrating twice succeeds, a backfill ends equal to GitHub, a second run changes nothing, the
 * application's tables are byte-for-byte what they were, and anon and authenticated read nothing of ours.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { runBackfill } from '../../src/engine/run.ts';
import { runMain } from '../cli/cli-harness.ts';
import { createEmptyDatabase } from '../store/empty-database.ts';
import { type EngineEnvironment, startEngineEnvironment, truth } from '../support/engine-environment.ts';

const APPLICATION_TABLES = [
  'repositories',
  'pull_requests',
  'contributors',
  'reviews',
  'comments',
  'backfill_chunks',
  'progressive_backfill_state',
];

const APPLICATION = `
  create table public.repositories (
    id uuid primary key default gen_random_uuid(), owner text not null, name text not null, stars int,
    unique (owner, name));
  create table public.contributors (id uuid primary key default gen_random_uuid(), login text unique, avatar_url text);
  create table public.pull_requests (
    id uuid primary key default gen_random_uuid(), repository_id uuid references public.repositories,
    author_id uuid references public.contributors, number int, title text, merged boolean default false);
  create table public.reviews (
    id uuid primary key default gen_random_uuid(), pull_request_id uuid references public.pull_requests, state text);
  create table public.comments (
    id uuid primary key default gen_random_uuid(), pull_request_id uuid references public.pull_requests, body text);
  create table public.backfill_chunks (
    id uuid primary key default gen_random_uuid(), repository_id uuid references public.repositories,
    status text default 'pending', cursor text);
  create table public.progressive_backfill_state (
    id uuid primary key default gen_random_uuid(), repository_id uuid references public.repositories,
    last_cursor text, updated_at timestamptz default now());

  insert into public.repositories (owner, name, stars) values ('acme', 'widgets', 12), ('acme', 'app', 3);
  insert into public.contributors (login) values ('alice'), ('bob');
  insert into public.pull_requests (repository_id, author_id, number, title)
    select r.id, c.id, n, 'app pr ' || n from public.repositories r, public.contributors c, generate_series(1, 3) n;
  insert into public.reviews (pull_request_id, state) select id, 'APPROVED' from public.pull_requests;
  insert into public.comments (pull_request_id, body) select id, 'lgtm' from public.pull_requests;
  insert into public.backfill_chunks (repository_id, cursor) select id, 'Y3Vyc29y' from public.repositories;
  insert into public.progressive_backfill_state (repository_id, last_cursor) select id, 'abc' from public.repositories;

  -- As a Supabase application does: its tables readable by signed-in users.
  ${APPLICATION_TABLES.map(
    (t) => `alter table public.${t} enable row level security;
    create policy ${t}_read on public.${t} for select to authenticated using (true);
    grant select on public.${t} to authenticated;`,
  ).join('\n')}
`;

/** Every row of the application's tables and everything the catalogs say about public, as one comparable value. */
async function applicationFingerprint(client: pg.Client) {
  const rows: Record<string, string> = {};
  for (const table of APPLICATION_TABLES) {
    const { rows: hash } = await client.query(
      `select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as h from public.${table} t`,
    );
    rows[table] = hash[0].h;
  }
  const { rows: catalog } = await client.query(`
    select
      (select json_agg(c order by c.relname) from (
         select relname, relkind, relacl::text, relrowsecurity from pg_class
         where relnamespace = 'public'::regnamespace) c) as relations,
      (select json_agg(a order by a.table_name, a.ordinal_position) from (
         select table_name, column_name, ordinal_position, data_type, column_default, is_nullable
         from information_schema.columns where table_schema = 'public') a) as columns,
      (select json_agg(k order by k.conname) from (
         select conname, pg_get_constraintdef(oid) as def from pg_constraint
         where connamespace = 'public'::regnamespace) k) as constraints,
      (select json_agg(p order by p.tablename, p.policyname) from pg_policies p where schemaname = 'public') as policies,
      (select json_agg(f order by f) from (
         select oid::regprocedure::text as f from pg_proc where pronamespace = 'public'::regnamespace) f) as functions,
      (select nspacl::text from pg_namespace where nspname = 'public') as schema_acl`);
  return { rows, catalog: catalog[0] };
}

const REPOSITORIES = [
  { owner: 'acme', name: 'widgets', pullRequests: 640 },
  { owner: 'acme', name: 'tiny', pullRequests: 7 },
];
// Roles are cluster-wide: a name of this process's own keeps parallel test runs apart.
const INSTALLER = `app_owner_${process.pid}`;

let admin: pg.Client;
let database: { url: string; drop(): Promise<void> };
let installerUrl: string;
let env: EngineEnvironment | undefined;

beforeAll(async () => {
  database = await createEmptyDatabase(inject('adminDatabaseUrl'));
  admin = new pg.Client(database.url);
  await admin.connect();
  await admin.query(`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'anon') then create role anon nologin; end if;
      if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
      if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin; end if;
    end $$`);
  await admin.query(APPLICATION);
  // Like Supabase's postgres role: may create schemas in its database, may not create roles or bypass RLS.
  await admin.query(`create role ${INSTALLER} login nosuperuser nocreaterole nobypassrls`);
  await admin.query(`grant create on database ${new URL(database.url).pathname.slice(1)} to ${INSTALLER}`);
  const url = new URL(database.url);
  url.username = INSTALLER;
  installerUrl = url.toString();
});

afterAll(async () => {
  await env?.store.close();
  await env?.sim.stop();
  await env?.db.client.end().catch(() => {});
  await admin?.end();
  await database?.drop();
  const cleanup = new pg.Client(inject('adminDatabaseUrl'));
  await cleanup.connect();
  await cleanup.query(`drop role if exists ${INSTALLER}`).finally(() => cleanup.end());
});

test('beside an application’s own tables, as a non-superuser: migrate, backfill, run again; the application is untouched', async () => {
  const before = await applicationFingerprint(admin);

  const first = await runMain(['migrate', '--database-url', installerUrl]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const second = await runMain(['migrate', '--database-url', installerUrl]);
  expect(second.code).toBe(0);

  const client = new pg.Client(installerUrl);
  await client.connect();
  env = await startEngineEnvironment({
    dataset: { seed: 10, repositories: REPOSITORIES },
    database: { url: installerUrl, client, drop: async () => {} },
  });
  const deps = { store: env.store, github: env.github, clock: env.clock };
  const run = await runBackfill(env.options(), deps);
  expect(run.errors.critical).toEqual([]);
  expect(run.outcome).toBe('completed');
  for (const r of REPOSITORIES) {
    expect(await env.stored(r.owner, r.name), r.name).toEqual(truth(env.sim, r.owner, r.name, 'core'));
  }
  const again = await runBackfill(env.options({ force: false }), deps);
  expect(again.errors.critical).toEqual([]);
  for (const r of REPOSITORIES) {
    expect(await env.stored(r.owner, r.name), r.name).toEqual(truth(env.sim, r.owner, r.name, 'core'));
  }

  expect(await applicationFingerprint(admin)).toEqual(before);

  for (const role of ['anon', 'authenticated']) {
    const { rows } = await admin.query(
      `select count(*)::int as readable from pg_class c
        where c.relnamespace = 'progressive_backfill'::regnamespace and c.relkind in ('r', 'v')
          and has_table_privilege($1, c.oid, 'select')`,
      [role],
    );
    expect(rows[0].readable, role).toBe(0);
    await admin.query('begin');
    try {
      await admin.query(`set local role ${role}`);
      await expect(
        admin.query('select count(*) from progressive_backfill.pull_requests'),
      ).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await admin.query('rollback');
    }
  }
});
