/**
 * Every function runs with `search_path = ''` and qualifies our names, so objects planted in `public` with the names
 * of built-ins (functions and operators) or of our tables change nothing, even for a caller whose own search_path
 * puts `public` before `pg_catalog`.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  claim,
  commitPage,
  expireLease,
  jsonb,
  nextIdBase,
  prRows,
  pullRequests,
  rpc,
  startedRepository,
  trackRepository,
  useDatabase,
} from './fixtures.ts';

const ctx = useDatabase();
let hostile: pg.Client;

/** Each planted object records that it ran, and answers wrongly. */
const PLANTED = `
  create table public.hijacked (what text not null);
  grant insert, select on public.hijacked to public;
  create function public.note(what text) returns void language sql as $$ insert into public.hijacked values (what) $$;

  create function public.now() returns timestamptz language plpgsql as $$
    begin perform public.note('now'); return timestamptz '2000-01-01'; end $$;
  create function public.lower(text) returns text language plpgsql as $$
    begin perform public.note('lower'); return 'hijacked'; end $$;
  create function public.btrim(text) returns text language plpgsql as $$
    begin perform public.note('btrim'); return ''; end $$;
  create function public.left(text, integer) returns text language plpgsql as $$
    begin perform public.note('left'); return 'hijacked'; end $$;
  create function public.char_length(text) returns integer language plpgsql as $$
    begin perform public.note('char_length'); return 0; end $$;
  create function public.jsonb_typeof(jsonb) returns text language plpgsql as $$
    begin perform public.note('jsonb_typeof'); return 'array'; end $$;
  create function public.nextval(regclass) returns bigint language plpgsql as $$
    begin perform public.note('nextval'); return 1; end $$;
  create function public.random() returns double precision language plpgsql as $$
    begin perform public.note('random'); return 0; end $$;
  create function public.make_interval(secs double precision) returns interval language plpgsql as $$
    begin perform public.note('make_interval'); return interval '0'; end $$;
  create function public.array_position(text[], text) returns integer language plpgsql as $$
    begin perform public.note('array_position'); return 1; end $$;

  create function public.text_eq(text, text) returns boolean language plpgsql as $$
    begin perform public.note('= text'); return false; end $$;
  create operator public.= (leftarg = text, rightarg = text, function = public.text_eq);
  create function public.bigint_eq(bigint, bigint) returns boolean language plpgsql as $$
    begin perform public.note('= bigint'); return true; end $$;
  create operator public.= (leftarg = bigint, rightarg = bigint, function = public.bigint_eq);
  create function public.text_concat(text, text) returns text language plpgsql as $$
    begin perform public.note('||'); return 'hijacked'; end $$;
  create operator public.|| (leftarg = text, rightarg = text, function = public.text_concat);
  create function public.tstz_le(timestamptz, timestamptz) returns boolean language plpgsql as $$
    begin perform public.note('<='); return true; end $$;
  create operator public.<= (leftarg = timestamptz, rightarg = timestamptz, function = public.tstz_le);
  create function public.text_match(text, text) returns boolean language plpgsql as $$
    begin perform public.note('~'); return true; end $$;
  create operator public.~ (leftarg = text, rightarg = text, function = public.text_match);

  -- An application's tables, named like ours.
  create table public.repositories (id bigint primary key, owner text, name text);
  create table public.pull_requests (id bigint primary key, title text);
  create table public.backfill_state (repository_id bigint primary key, status text);
  create table public.backfill_chunks (id bigint primary key, status text);
  grant all on public.repositories, public.pull_requests, public.backfill_state, public.backfill_chunks to public;
`;

beforeAll(async () => {
  await ctx.client.query(PLANTED);
  hostile = new pg.Client(ctx.db.url);
  await hostile.connect();
  await hostile.query('set role service_role');
  await hostile.query('set search_path = public, pg_catalog');
});
afterAll(() => hostile?.end());

const planted = async () =>
  (await ctx.client.query('select what from public.hijacked order by 1')).rows.map((r) => r.what);

test('the planted objects do hijack unqualified SQL under that search_path (the trap is armed)', async () => {
  await hostile.query("select now(), lower('X'), 'a' = 'b', 'a' || 'b'");
  expect(await planted()).toEqual(expect.arrayContaining(['now', 'lower', '= text', '||']));
  await ctx.client.query('truncate public.hijacked');
});

test('a whole backfill driven through every function, as service_role under that search_path, never reaches them', async () => {
  const client = hostile;
  const base = nextIdBase();
  const tracked = await trackRepository(client, { owner: 'Octo', prTotalCount: 300 });
  expect(tracked.fullName).toMatch(/^Octo\/repo-/);
  expect(
    await rpc(client, 'backfill_get_repository', { p_owner: 'octo', p_name: tracked.name }),
  ).toMatchObject({
    id: tracked.id,
  });
  await rpc(client, 'backfill_update_repository_counts', {
    p_repository_id: tracked.id,
    p_pr_total_count: 310,
  });
  expect(await rpc<unknown[]>(client, 'backfill_select_repositories', { p_min_prs: 0 })).not.toEqual([]);
  await rpc(client, 'backfill_start_backfill', { p_repository_id: tracked.id, p_field_profile: 'core' });
  const runId = await rpc<string>(client, 'backfill_start_run', {
    p_trigger: 'test',
    p_trigger_ref: null,
    p_worker_id: 'w',
    p_dry_run: false,
  });
  const lease = await claim(client, { repositoryId: tracked.id, runId: Number(runId) });
  if (!lease) throw new Error('expected a lease');
  await rpc(client, 'backfill_heartbeat', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
    p_lease_seconds: 60,
  });
  const page = await commitPage(client, {
    chunkId: lease.chunkId,
    fencingToken: lease.fencingToken,
    nextCursor: { after: 'A' },
    prs: pullRequests(1, 10, base),
    githubTotalCount: 310,
    runId: Number(runId),
  });
  expect(page).toMatchObject({ applied: true, inserted: 10, storedPrCount: 10 });
  await rpc(client, 'backfill_complete_chunk', {
    p_chunk_id: lease.chunkId,
    p_fencing_token: lease.fencingToken,
  });
  const second = await claim(client, { repositoryId: tracked.id });
  if (!second) throw new Error('expected the next chunk');
  expect(BigInt(second.fencingToken)).toBeGreaterThan(BigInt(lease.fencingToken));
  const failed = await rpc<{ chunkStatus: string; retryAt: string }>(client, 'backfill_fail_chunk', {
    p_chunk_id: second.chunkId,
    p_fencing_token: second.fencingToken,
    p_error: 'timeout',
    p_retryable: true,
  });
  expect(failed.chunkStatus).toBe('pending');
  expect(Date.parse(failed.retryAt)).toBeGreaterThan(Date.now());
  await rpc(client, 'backfill_pause', {
    p_repository_id: tracked.id,
    p_reason: 'maintenance',
    p_resume_at: new Date(Date.now() + 3_600_000),
    p_chunk_id: second.chunkId,
    p_fencing_token: second.fencingToken,
  });
  await rpc(client, 'backfill_resume', { p_repository_id: tracked.id });
  await rpc(client, 'backfill_commit_refresh', {
    p_repository_id: tracked.id,
    p_expected_cursor: null,
    p_next_cursor: 'refresh-cursor',
    p_target_watermark: new Date(),
    p_holder: 'refresher',
    p_prs: prRows(pullRequests(11, 2, base)),
    p_points_spent: 1,
    p_removed: jsonb([]),
  });
  expect(await rpc(client, 'backfill_refresh_position', { p_repository_id: tracked.id })).toMatchObject({
    watermark: expect.anything(),
  });
  await rpc(client, 'backfill_upsert_pull_requests', {
    p_repository_id: tracked.id,
    p_prs: jsonb(pullRequests(13, 1, base)),
  });
  const stuck = await startedRepository(ctx.client);
  const stuckLease = await claim(ctx.client, { repositoryId: stuck.id });
  await expireLease(ctx.client, stuckLease!.chunkId);
  expect(await rpc(client, 'backfill_recover_stuck_chunks', {})).toMatchObject({ requeued: 1 });
  await rpc(client, 'backfill_cancel', { p_repository_id: stuck.id, p_reason: 'no' });
  await rpc(client, 'backfill_fail_backfill', { p_repository_id: tracked.id, p_error: 'gone' });
  await rpc(client, 'backfill_finish_run', { p_run_id: runId, p_outcome: 'completed' });
  expect(await rpc<unknown[]>(client, 'backfill_progress')).not.toEqual([]);
  expect(await rpc(client, 'backfill_database_load')).toHaveProperty('deadlocks');
  expect(Number(await rpc(client, 'backfill_schema_version'))).toBeGreaterThan(0);

  expect(await planted()).toEqual([]);
  const { rows } = await ctx.client.query(
    `
    select (select count(*) from progressive_backfill.pull_requests where repository_id = $1)::int as ours,
           (select count(*) from public.pull_requests)::int + (select count(*) from public.repositories)::int
             + (select count(*) from public.backfill_state)::int + (select count(*) from public.backfill_chunks)::int
             as theirs`,
    [tracked.id],
  );
  expect(rows[0]).toEqual({ ours: 13, theirs: 0 });
});
