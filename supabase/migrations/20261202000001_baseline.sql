-- progressive-backfill baseline: the whole schema `progressive_backfill`, built from nothing. It is the files of
-- supabase/schemas/ in order, as they were when this baseline was cut; later changes come as further migrations.
-- (Databases migrated by the earlier public-schema migrations are moved over by a later migration.)

-- ===== 00_schema.sql =====
-- progressive-backfill keeps everything it creates in this one schema, so it installs beside an application's own
-- tables of any name. Nothing of it is in `public`.
--
-- The files in supabase/schemas/ are the source of truth, applied in file-name order they build the schema from
-- nothing. Every change to them also gets a new file in supabase/migrations/; test/sql/schema-matches-migrations.test.ts
-- fails when the two disagree.
create schema if not exists progressive_backfill;

-- The migration ledger. Every migration records its own version here as its last statement, so a database migrated
-- by `supabase db push` reports its version just like one migrated by `progressive-backfill migrate` (which also
-- stores each file's checksum, to refuse a file edited after it was applied).
create table if not exists progressive_backfill.schema_migrations (
  version text primary key,
  name text not null,
  checksum text,
  applied_at timestamptz not null default now()
);
alter table progressive_backfill.schema_migrations enable row level security;

-- ===== 01_apply_privileges.sql =====
-- Who may do what, recomputed from scratch by every migration (its last statement but one): nobody but the owner,
-- except that service_role (the server-side key of Supabase's API) may use the schema and execute the contract's
-- functions, the ones named backfill_*; internal helpers have other names and are callable by nobody directly.
-- Roles missing on this server (plain Postgres without Supabase's roles) are skipped.
--
-- Why not default privileges: PUBLIC's EXECUTE on new functions is a global default that ALTER DEFAULT PRIVILEGES
-- IN SCHEMA cannot take away, and changing the global one would change the application's own functions.
create or replace function progressive_backfill.apply_privileges() returns void
language plpgsql set search_path = ''
as $$
declare
  v_role name;
  v_function regprocedure;
begin
  revoke all on schema progressive_backfill from public;
  revoke all on all tables in schema progressive_backfill from public;
  revoke all on all sequences in schema progressive_backfill from public;
  revoke all on all functions in schema progressive_backfill from public;
  for v_role in
    select rolname from pg_catalog.pg_roles where rolname in ('anon', 'authenticated', 'service_role')
  loop
    execute format('revoke all on schema progressive_backfill from %I', v_role);
    execute format('revoke all on all tables in schema progressive_backfill from %I', v_role);
    execute format('revoke all on all sequences in schema progressive_backfill from %I', v_role);
    execute format('revoke all on all functions in schema progressive_backfill from %I', v_role);
  end loop;

  if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    grant usage on schema progressive_backfill to service_role;
    for v_function in
      select p.oid::regprocedure
      from pg_catalog.pg_proc p
      where p.pronamespace = 'progressive_backfill'::regnamespace and p.proname like 'backfill\_%'
    loop
      execute format('grant execute on function %s to service_role', v_function);
    end loop;
  end if;
end
$$;

-- ===== 10_repositories.sql =====
create table progressive_backfill.repositories (
  id bigint generated always as identity primary key,
  github_id bigint unique,
  node_id text unique,
  owner text not null,
  name text not null,
  full_name text generated always as (owner || '/' || name) stored,
  pr_total_count int check (pr_total_count >= 0),
  pr_total_count_at timestamptz,
  stored_pr_count int not null default 0 check (stored_pr_count >= 0),
  tracked boolean not null default true,
  priority int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index repositories_full_name_key on progressive_backfill.repositories (lower(full_name));

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.repositories enable row level security;

-- ===== 11_pull_requests.sql =====
create table progressive_backfill.pull_requests (
  id bigint generated always as identity primary key,
  repository_id bigint not null references progressive_backfill.repositories (id) on delete cascade,
  github_id bigint not null unique,
  node_id text not null,
  number int not null check (number > 0),
  title text not null,
  body text,
  state text not null check (state in ('OPEN', 'CLOSED', 'MERGED')),
  is_draft boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  merged_at timestamptz,
  author_login text,
  author_github_id bigint,
  author_type text check (author_type in ('User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount')),
  additions int not null default 0 check (additions >= 0),
  deletions int not null default 0 check (deletions >= 0),
  changed_files int not null default 0 check (changed_files >= 0),
  base_ref text,
  head_ref text,
  url text not null,
  labels jsonb check (labels is null or jsonb_typeof(labels) = 'array'),
  review_decision text,
  review_count int check (review_count >= 0),
  comment_count int check (comment_count >= 0),
  reviews jsonb check (reviews is null or jsonb_typeof(reviews) = 'array'),
  comments jsonb check (comments is null or jsonb_typeof(comments) = 'array'),
  field_profile text not null check (field_profile in ('core', 'standard', 'full')),
  captured_at timestamptz not null default now(),
  unique (repository_id, number)
);
create index pull_requests_repository_updated_idx on progressive_backfill.pull_requests (repository_id, updated_at desc);

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.pull_requests enable row level security;

-- lz4 compresses pull-request bodies several times faster than the default pglz, which dominates a page commit.
-- Servers built without lz4 (PGlite among them) keep pglz.
do $$
begin
  alter table progressive_backfill.pull_requests alter column body set compression lz4;
exception when feature_not_supported or invalid_parameter_value then
  null;
end
$$;

-- ===== 12_backfill_state.sql =====
create table progressive_backfill.backfill_state (
  repository_id bigint primary key references progressive_backfill.repositories (id) on delete cascade,
  status text not null default 'idle'
    check (status in ('idle', 'active', 'paused', 'completed', 'failed', 'cancelled', 'stalled')),
  field_profile text not null default 'core' check (field_profile in ('core', 'standard', 'full')),
  cursor jsonb,
  pause_reason text,
  resume_at timestamptz,
  consecutive_errors int not null default 0 check (consecutive_errors >= 0),
  last_error text check (char_length(last_error) <= 2000),
  points_spent bigint not null default 0 check (points_spent >= 0),
  prs_written bigint not null default 0 check (prs_written >= 0),
  started_at timestamptz,
  completed_at timestamptz,
  watermark timestamptz,
  refreshed_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint backfill_state_paused_check
    check ((status = 'paused') = (resume_at is not null and pause_reason is not null)),
  constraint backfill_state_completed_check check (status <> 'completed' or completed_at is not null)
);

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.backfill_state enable row level security;

-- ===== 13_backfill_fencing_token_seq.sql =====
-- Fencing tokens are never reused, across chunks and repositories: a token identifies exactly one lease.
create sequence progressive_backfill.backfill_fencing_token_seq;

-- ===== 14_backfill_runs.sql =====
create table progressive_backfill.backfill_runs (
  id bigint generated always as identity primary key,
  trigger text not null check (trigger in ('workflow', 'cli', 'function', 'test')),
  trigger_ref text,
  worker_id text not null,
  dry_run boolean not null default false,
  outcome text not null default 'running'
    check (outcome in ('running', 'completed', 'interrupted', 'failed', 'partial')),
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  finished_at timestamptz,
  prs_written bigint not null default 0 check (prs_written >= 0),
  points_spent bigint not null default 0 check (points_spent >= 0),
  error_summary jsonb,
  constraint backfill_runs_finished_check check ((outcome = 'running') = (finished_at is null))
);
create index backfill_runs_running_idx on progressive_backfill.backfill_runs (heartbeat_at) where outcome = 'running';

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.backfill_runs enable row level security;

-- ===== 15_backfill_chunks.sql =====
create table progressive_backfill.backfill_chunks (
  id bigint generated always as identity primary key,
  repository_id bigint not null references progressive_backfill.repositories (id) on delete cascade,
  chunk_number int not null check (chunk_number > 0),
  status text not null default 'pending'
    check (status in ('pending', 'running', 'completed', 'failed', 'cancelled', 'stalled')),
  run_at timestamptz not null default now(),
  attempts int not null default 0 check (attempts >= 0),
  failures int not null default 0 check (failures >= 0),
  requeues int not null default 0 check (requeues >= 0),
  lease_owner text,
  lease_expires_at timestamptz,
  -- The last token issued for this chunk. It stays after the lease ends so that a replayed final commit can be
  -- recognised as already applied (see backfill_commit_page).
  fencing_token bigint,
  heartbeat_at timestamptz,
  start_cursor jsonb,
  end_cursor jsonb,
  pages_committed int not null default 0 check (pages_committed >= 0),
  prs_written int not null default 0 check (prs_written >= 0),
  points_spent int not null default 0 check (points_spent >= 0),
  skipped_nodes int not null default 0 check (skipped_nodes >= 0),
  last_error text check (char_length(last_error) <= 2000),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  run_id bigint references progressive_backfill.backfill_runs (id) on delete set null,
  unique (repository_id, chunk_number),
  constraint backfill_chunks_lease_check
    check ((status = 'running') = (lease_owner is not null and lease_expires_at is not null)),
  constraint backfill_chunks_token_check check (status <> 'running' or fencing_token is not null),
  constraint backfill_chunks_finished_check
    check ((status in ('completed', 'failed', 'cancelled', 'stalled')) = (finished_at is not null))
);
-- At most one open chunk per repository: the walk of one repository is strictly sequential.
create unique index backfill_chunks_one_open_idx on progressive_backfill.backfill_chunks (repository_id)
  where status in ('pending', 'running');
create index backfill_chunks_claimable_idx on progressive_backfill.backfill_chunks (run_at, id) where status = 'pending';
create index backfill_chunks_lease_idx on progressive_backfill.backfill_chunks (lease_expires_at) where status = 'running';
create index backfill_chunks_problem_idx on progressive_backfill.backfill_chunks (repository_id) where status in ('failed', 'stalled');
create index backfill_chunks_run_idx on progressive_backfill.backfill_chunks (run_id) where run_id is not null;

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.backfill_chunks enable row level security;

-- ===== 20_backfill_repository_progress.sql =====
-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
-- Every tracked repository: backfill status, progress, recent speed (PRs per hour over the chunks active in the
-- last hour) and the time left at that speed.
create view progressive_backfill.backfill_repository_progress with (security_invoker = true) as
with recent as (
  select
    c.repository_id,
    sum(c.prs_written) as prs,
    min(c.started_at) as since
  from progressive_backfill.backfill_chunks c
  where coalesce(c.finished_at, c.heartbeat_at, c.started_at) > now() - interval '1 hour'
  group by c.repository_id
),
speed as (
  select
    repository_id,
    prs / (greatest(least(extract(epoch from now() - since), 3600), 60) / 3600.0) as prs_per_hour
  from recent
)
select
  r.id as repository_id,
  r.full_name,
  s.status,
  s.field_profile,
  r.priority,
  r.stored_pr_count,
  r.pr_total_count,
  case when r.pr_total_count > 0 then round(100.0 * r.stored_pr_count / r.pr_total_count, 2) end as progress_pct,
  round(sp.prs_per_hour, 1) as prs_per_hour,
  case
    when sp.prs_per_hour > 0 and r.pr_total_count is not null then
      round(greatest(r.pr_total_count - r.stored_pr_count, 0) / sp.prs_per_hour * 3600)::bigint
  end as eta_seconds,
  s.resume_at as paused_until,
  s.pause_reason,
  s.last_error,
  s.consecutive_errors,
  s.started_at,
  s.updated_at
from progressive_backfill.repositories r
join progressive_backfill.backfill_state s on s.repository_id = r.id
left join speed sp on sp.repository_id = r.id
where r.tracked;

-- ===== 21_backfill_active_progress.sql =====
-- Backfills that are not finished.
create view progressive_backfill.backfill_active_progress with (security_invoker = true) as
select * from progressive_backfill.backfill_repository_progress where status in ('active', 'paused', 'failed', 'stalled');

-- ===== 22_backfill_problem_chunks.sql =====
-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
-- Chunks that need a human: failed for good, or stalled after too many expired leases.
create view progressive_backfill.backfill_problem_chunks with (security_invoker = true) as
select
  c.id as chunk_id,
  c.repository_id,
  r.full_name,
  c.chunk_number,
  c.status,
  s.status as backfill_status,
  c.attempts,
  c.failures,
  c.requeues,
  c.last_error,
  c.start_cursor,
  c.end_cursor,
  c.started_at,
  c.finished_at,
  c.run_id
from progressive_backfill.backfill_chunks c
join progressive_backfill.repositories r on r.id = c.repository_id
join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
where c.status in ('failed', 'stalled');

-- ===== 23_backfill_repository_completion.sql =====
-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
create view progressive_backfill.backfill_repository_completion with (security_invoker = true) as
select
  r.id as repository_id,
  r.full_name,
  r.tracked,
  coalesce(s.status, 'idle') as status,
  r.stored_pr_count,
  r.pr_total_count,
  r.pr_total_count_at,
  case when r.pr_total_count > 0 then round(100.0 * r.stored_pr_count / r.pr_total_count, 2) end as completion_pct,
  s.completed_at,
  s.refreshed_at,
  s.watermark
from progressive_backfill.repositories r
left join progressive_backfill.backfill_state s on s.repository_id = r.id;

-- ===== 30_check_prs.sql =====
-- A page of pull requests must be a JSON array of objects carrying at least the identifying columns; everything
-- else is checked by the table's constraints (mapped to PB004 in backfill_upsert_prs).
create or replace function progressive_backfill.check_prs(p_prs jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_prs is null or jsonb_typeof(p_prs) <> 'array' then
    raise exception 'pull requests must be a JSON array' using errcode = 'PB004';
  end if;
  if exists (
    select 1 from jsonb_array_elements(p_prs) e
    where jsonb_typeof(e) <> 'object'
      or not e ?& array['github_id', 'node_id', 'number', 'title', 'state', 'created_at', 'updated_at', 'url',
                        'field_profile']
  ) then
    raise exception 'every pull request must be an object with github_id, node_id, number, title, state, '
      'created_at, updated_at, url and field_profile' using errcode = 'PB004';
  end if;
end
$$;

-- ===== 30_close_open_chunks.sql =====
-- Ends a backfill's open chunks with the given status and reason (cancel and fail share this).
create or replace function progressive_backfill.close_open_chunks(p_repository_id bigint, p_status text, p_reason text)
returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_chunks
  set status = p_status, finished_at = now(), lease_owner = null, lease_expires_at = null,
      last_error = left(p_reason, 2000)
  where repository_id = p_repository_id and status in ('pending', 'running')
$$;

-- ===== 30_lease_checks.sql =====
-- The opening every chunk transition shares: lock the chunk (in the global lock order) and check that the caller
-- still holds its lease. PB001 (stale lease) tells a worker that another one owns the chunk now, or nobody does.

-- Locks a chunk's backfill_state row, then the chunk row (the global lock order), and returns the chunk.
create or replace function progressive_backfill.lock_chunk(p_chunk_id bigint)
returns progressive_backfill.backfill_chunks
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
begin
  perform 1 from progressive_backfill.backfill_state s
  where s.repository_id = (
    select c.repository_id from progressive_backfill.backfill_chunks c where c.id = p_chunk_id)
  for update;
  select * into v_chunk from progressive_backfill.backfill_chunks where id = p_chunk_id for update;
  if not found then
    raise exception 'unknown chunk %', p_chunk_id using errcode = 'PB004';
  end if;
  return v_chunk;
end
$$;

create or replace function progressive_backfill.assert_lease(
  p_chunk progressive_backfill.backfill_chunks,
  p_fencing_token bigint
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_chunk.status <> 'running' or p_chunk.fencing_token is distinct from p_fencing_token then
    raise exception 'stale lease: chunk % is not running with fencing token %', p_chunk.id, p_fencing_token
      using errcode = 'PB001';
  end if;
end
$$;

-- lock_chunk, then assert_lease: for transitions with nothing to check in between.
create or replace function progressive_backfill.lock_lease(p_chunk_id bigint, p_fencing_token bigint)
returns progressive_backfill.backfill_chunks
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks := progressive_backfill.lock_chunk(p_chunk_id);
begin
  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);
  return v_chunk;
end
$$;

-- ===== 30_open_next_chunk.sql =====
create or replace function progressive_backfill.open_next_chunk(p_repository_id bigint) returns bigint
language sql security definer set search_path = ''
as $$
  insert into progressive_backfill.backfill_chunks (repository_id, chunk_number, start_cursor, run_at)
  select s.repository_id,
         (select coalesce(max(c.chunk_number), 0) + 1 from progressive_backfill.backfill_chunks c where c.repository_id = s.repository_id),
         s.cursor,
         now()
  from progressive_backfill.backfill_state s
  where s.repository_id = p_repository_id
  returning id
$$;

-- ===== 30_repository_json.sql =====
create or replace function progressive_backfill.repository_json(p_repository_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', r.id,
    'githubId', r.github_id::text,
    'nodeId', r.node_id,
    'owner', r.owner,
    'name', r.name,
    'fullName', r.full_name,
    'prTotalCount', r.pr_total_count,
    'prTotalCountAt', r.pr_total_count_at,
    'storedPrCount', r.stored_pr_count,
    'tracked', r.tracked,
    'priority', r.priority,
    'backfillStatus', coalesce(s.status, 'idle'))
  from progressive_backfill.repositories r
  left join progressive_backfill.backfill_state s on s.repository_id = r.id
  where r.id = p_repository_id
$$;

-- ===== 30_state_checks.sql =====
-- The opening every backfill-level transition shares: lock the repository's backfill_state row (first in the global
-- lock order) and check that the backfill is in a state the transition starts from.

-- Locks and returns a backfill's state; PB004 when the repository is unknown.
create or replace function progressive_backfill.lock_state(p_repository_id bigint)
returns progressive_backfill.backfill_state
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
begin
  select * into v_state from progressive_backfill.backfill_state where repository_id = p_repository_id for update;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  return v_state;
end
$$;

-- PB003 (invalid transition) unless the backfill's status is one of p_allowed; p_action names the transition.
create or replace function progressive_backfill.assert_status(
  p_state progressive_backfill.backfill_state,
  p_allowed text[],
  p_action text
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not p_state.status = any(p_allowed) then
    raise exception 'cannot % a % backfill', p_action, p_state.status using errcode = 'PB003';
  end if;
end
$$;

-- ===== 30_state_json.sql =====
create or replace function progressive_backfill.state_json(p_repository_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'repositoryId', s.repository_id,
    'status', s.status,
    'fieldProfile', s.field_profile,
    'cursor', s.cursor,
    'pauseReason', s.pause_reason,
    'resumeAt', s.resume_at,
    'consecutiveErrors', s.consecutive_errors,
    'lastError', s.last_error,
    'pointsSpent', s.points_spent,
    'prsWritten', s.prs_written,
    'startedAt', s.started_at,
    'completedAt', s.completed_at,
    'watermark', s.watermark,
    'refreshedAt', s.refreshed_at,
    'openChunkId', (
      select c.id from progressive_backfill.backfill_chunks c
      where c.repository_id = s.repository_id and c.status in ('pending', 'running')))
  from progressive_backfill.backfill_state s
  where s.repository_id = p_repository_id
$$;

-- ===== 30_touch_run.sql =====
create or replace function progressive_backfill.touch_run(p_run_id bigint, p_prs bigint, p_points bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_runs
  set prs_written = prs_written + p_prs, points_spent = points_spent + p_points, heartbeat_at = now()
  where id = p_run_id
$$;

-- ===== 30_upsert_prs.sql =====
-- Upserts a page in one statement. An older version never overwrites a newer one; columns a poorer field profile
-- does not fetch (absent keys arrive as null) keep what a richer profile stored.
create or replace function progressive_backfill.upsert_prs(p_repository_id bigint, p_prs jsonb)
returns table (inserted int, updated int)
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int := 0;
  v_updated int := 0;
begin
  perform progressive_backfill.check_prs(p_prs);
  if not exists (select 1 from progressive_backfill.repositories where id = p_repository_id) then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  begin
    with incoming as (
      -- one row per PR: a page that repeats a PR keeps its newest version (ON CONFLICT cannot touch a row twice)
      select distinct on (r.github_id) r.*
      from jsonb_to_recordset(p_prs) as r(
        github_id bigint, node_id text, number int, title text, body text, state text, is_draft boolean,
        created_at timestamptz, updated_at timestamptz, closed_at timestamptz, merged_at timestamptz,
        author_login text, author_github_id bigint, author_type text,
        additions int, deletions int, changed_files int, base_ref text, head_ref text, url text,
        labels jsonb, review_decision text, review_count int, comment_count int, reviews jsonb, comments jsonb,
        field_profile text)
      order by r.github_id, r.updated_at desc
    ),
    written as (
      insert into progressive_backfill.pull_requests as pr (
        repository_id, github_id, node_id, number, title, body, state, is_draft, created_at, updated_at,
        closed_at, merged_at, author_login, author_github_id, author_type, additions, deletions, changed_files,
        base_ref, head_ref, url, labels, review_decision, review_count, comment_count, reviews, comments,
        field_profile, captured_at)
      select
        p_repository_id, i.github_id, i.node_id, i.number, i.title, i.body, i.state, coalesce(i.is_draft, false),
        i.created_at, i.updated_at, i.closed_at, i.merged_at, i.author_login, i.author_github_id, i.author_type,
        coalesce(i.additions, 0), coalesce(i.deletions, 0), coalesce(i.changed_files, 0), i.base_ref, i.head_ref,
        i.url, i.labels, i.review_decision, i.review_count, i.comment_count, i.reviews, i.comments,
        i.field_profile, now()
      from incoming i
      on conflict (github_id) do update set
        node_id = excluded.node_id,
        number = excluded.number,
        title = excluded.title,
        body = excluded.body,
        state = excluded.state,
        is_draft = excluded.is_draft,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        closed_at = excluded.closed_at,
        merged_at = excluded.merged_at,
        author_login = excluded.author_login,
        author_github_id = excluded.author_github_id,
        author_type = excluded.author_type,
        additions = excluded.additions,
        deletions = excluded.deletions,
        changed_files = excluded.changed_files,
        base_ref = excluded.base_ref,
        head_ref = excluded.head_ref,
        url = excluded.url,
        labels = coalesce(excluded.labels, pr.labels),
        review_decision = case when excluded.field_profile = 'core' then pr.review_decision
                               else excluded.review_decision end,
        review_count = coalesce(excluded.review_count, pr.review_count),
        comment_count = coalesce(excluded.comment_count, pr.comment_count),
        reviews = coalesce(excluded.reviews, pr.reviews),
        comments = coalesce(excluded.comments, pr.comments),
        field_profile = case
          when array_position(array['core', 'standard', 'full'], excluded.field_profile)
               >= array_position(array['core', 'standard', 'full'], pr.field_profile) then excluded.field_profile
          else pr.field_profile end,
        captured_at = now()
      where excluded.updated_at >= pr.updated_at
      returning (pr.xmax = 0) as is_insert
    )
    select count(*) filter (where is_insert), count(*) filter (where not is_insert)
    into v_inserted, v_updated
    from written;
  exception
    when check_violation or not_null_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range or invalid_parameter_value
      or invalid_binary_representation or cardinality_violation then
      raise exception 'invalid pull request row: %', sqlerrm using errcode = 'PB004';
  end;
  if v_inserted > 0 then
    update progressive_backfill.repositories
    set stored_pr_count = stored_pr_count + v_inserted, updated_at = now()
    where id = p_repository_id;
  end if;
  return query select v_inserted, v_updated;
end
$$;

-- ===== 40_backfill_cancel.sql =====
create or replace function progressive_backfill.backfill_cancel(p_repository_id bigint, p_reason text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_reason text := left(coalesce(nullif(btrim(p_reason), ''), 'cancelled'), 2000);
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['idle', 'active', 'paused'], 'cancel');
  perform progressive_backfill.close_open_chunks(p_repository_id, 'cancelled', v_reason);
  update progressive_backfill.backfill_state
  set status = 'cancelled', last_error = v_reason, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

-- ===== 40_backfill_claim_chunk.sql =====
create or replace function progressive_backfill.backfill_claim_chunk(
  p_worker_id text,
  p_lease_seconds int,
  p_repository_id bigint default null,
  p_run_id bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk_id bigint;
  v_state_status text;
  v_chunk progressive_backfill.backfill_chunks;
  v_state progressive_backfill.backfill_state;
begin
  if p_worker_id is null or btrim(p_worker_id) = '' then
    raise exception 'worker id must not be empty' using errcode = 'PB004';
  end if;
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;

  select c.id, s.status into v_chunk_id, v_state_status
  from progressive_backfill.backfill_chunks c
  join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
  join progressive_backfill.repositories r on r.id = c.repository_id
  where c.status = 'pending'
    and c.run_at <= now()
    and (p_repository_id is null or c.repository_id = p_repository_id)
    and (s.status = 'active' or (s.status = 'paused' and s.resume_at <= now()))
  order by r.priority desc, c.run_at, c.id
  limit 1
  for update of c, s skip locked;
  if not found then
    return null;
  end if;

  update progressive_backfill.backfill_chunks
  set status = 'running',
      lease_owner = p_worker_id,
      lease_expires_at = now() + make_interval(secs => p_lease_seconds),
      fencing_token = nextval('progressive_backfill.backfill_fencing_token_seq'),
      attempts = attempts + 1,
      started_at = coalesce(started_at, now()),
      heartbeat_at = now(),
      run_id = p_run_id
  where id = v_chunk_id
  returning * into v_chunk;

  update progressive_backfill.backfill_state
  set status = 'active', resume_at = null, pause_reason = null,
      updated_at = case when v_state_status = 'paused' then now() else updated_at end
  where repository_id = v_chunk.repository_id
  returning * into v_state;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, 0, 0);
  end if;

  return (
    select jsonb_build_object(
      'chunkId', v_chunk.id,
      'repositoryId', v_chunk.repository_id,
      'owner', r.owner,
      'name', r.name,
      'chunkNumber', v_chunk.chunk_number,
      'fencingToken', v_chunk.fencing_token::text,
      'leaseExpiresAt', v_chunk.lease_expires_at,
      'cursor', v_state.cursor,
      'attempts', v_chunk.attempts,
      'fieldProfile', v_state.field_profile)
    from progressive_backfill.repositories r where r.id = v_chunk.repository_id);
end
$$;

-- ===== 40_backfill_commit_page.sql =====
-- One page, one transaction: the PRs, the new cursor and every counter move together or not at all.
create or replace function progressive_backfill.backfill_commit_page(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_expected_cursor jsonb,
  p_next_cursor jsonb,
  p_prs jsonb,
  p_points_spent int,
  p_skipped_nodes int,
  p_github_total_count int,
  p_done boolean,
  p_lease_seconds int,
  p_run_id bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_state progressive_backfill.backfill_state;
  v_inserted int;
  v_updated int;
  v_stored int;
  v_lease timestamptz;
begin
  if p_points_spent is null or p_points_spent < 0 or p_skipped_nodes < 0 or p_github_total_count < 0 then
    raise exception 'points spent, skipped nodes and total count must be >= 0' using errcode = 'PB004';
  end if;
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;
  if p_done is null then
    raise exception 'done must be true or false' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  -- A JSON null cursor and an SQL NULL one mean the same thing ("not started"); transports differ in which they send.
  p_expected_cursor := nullif(p_expected_cursor, 'null'::jsonb);
  p_next_cursor := nullif(p_next_cursor, 'null'::jsonb);

  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  select * into v_state from progressive_backfill.backfill_state where repository_id = v_chunk.repository_id;

  -- A replayed RPC (the response was lost and the call retried) must report success without applying twice.
  if v_chunk.fencing_token = p_fencing_token and (
       (v_chunk.status = 'running'
         and v_state.cursor is not distinct from p_next_cursor
         and v_state.cursor is distinct from p_expected_cursor)
    or (v_chunk.status = 'completed' and p_done and v_chunk.end_cursor is not distinct from p_next_cursor)
  ) then
    return jsonb_build_object(
      'applied', false, 'inserted', 0, 'updated', 0,
      'storedPrCount', (select stored_pr_count from progressive_backfill.repositories where id = v_chunk.repository_id),
      'leaseExpiresAt', coalesce(v_chunk.lease_expires_at, now()));
  end if;

  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);
  if v_state.cursor is distinct from p_expected_cursor then
    raise exception 'cursor conflict: chunk % expected another cursor than the stored one', p_chunk_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(v_chunk.repository_id, p_prs) u;

  v_lease := case when p_done then now() else now() + make_interval(secs => p_lease_seconds) end;

  update progressive_backfill.backfill_chunks
  set end_cursor = p_next_cursor,
      pages_committed = pages_committed + 1,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      skipped_nodes = skipped_nodes + coalesce(p_skipped_nodes, 0),
      heartbeat_at = now(),
      status = case when p_done then 'completed' else status end,
      finished_at = case when p_done then now() end,
      lease_owner = case when p_done then null else lease_owner end,
      lease_expires_at = case when p_done then null else v_lease end
  where id = p_chunk_id;

  update progressive_backfill.backfill_state
  set cursor = p_next_cursor,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      consecutive_errors = 0,
      status = case when p_done then 'completed' else status end,
      completed_at = case when p_done then now() else completed_at end,
      updated_at = now()
  where repository_id = v_chunk.repository_id;

  if p_github_total_count is not null then
    update progressive_backfill.repositories
    set pr_total_count = p_github_total_count, pr_total_count_at = now(), updated_at = now()
    where id = v_chunk.repository_id;
  end if;
  select stored_pr_count into v_stored from progressive_backfill.repositories where id = v_chunk.repository_id;

  if coalesce(p_run_id, v_chunk.run_id) is not null then
    perform progressive_backfill.touch_run(coalesce(p_run_id, v_chunk.run_id), v_inserted + v_updated, p_points_spent);
  end if;

  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated,
    'storedPrCount', v_stored, 'leaseExpiresAt', v_lease);
end
$$;

-- ===== 40_backfill_commit_refresh.sql =====
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_prs jsonb,
  p_points_spent int,
  p_new_watermark timestamptz,
  p_run_id bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int;
  v_updated int;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  perform progressive_backfill.lock_state(p_repository_id);

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;

  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      watermark = case when p_new_watermark is null then watermark else greatest(watermark, p_new_watermark) end,
      refreshed_at = now(),
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object('inserted', v_inserted, 'updated', v_updated);
end
$$;

-- ===== 40_backfill_complete_chunk.sql =====
-- Ends a chunk that spent its page allowance; the walk continues in a new chunk from the same cursor.
create or replace function progressive_backfill.backfill_complete_chunk(p_chunk_id bigint, p_fencing_token bigint) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_next bigint;
begin
  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  if v_chunk.status = 'completed' and v_chunk.fencing_token = p_fencing_token then
    raise exception 'chunk % is already completed', p_chunk_id using errcode = 'PB003';
  end if;
  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);

  update progressive_backfill.backfill_chunks
  set status = 'completed', finished_at = now(), lease_owner = null, lease_expires_at = null, heartbeat_at = now()
  where id = p_chunk_id;

  if exists (select 1 from progressive_backfill.backfill_state where repository_id = v_chunk.repository_id and status = 'active') then
    v_next := progressive_backfill.open_next_chunk(v_chunk.repository_id);
  end if;
  return jsonb_build_object('nextChunkId', v_next);
end
$$;

-- ===== 40_backfill_database_load.sql =====
-- Relations from pg_catalog are qualified too: with an empty search_path, a temporary table would be found first.
-- Load right now (queries running for over 30 s, sessions waiting on a lock) plus the cumulative deadlock counter
-- of this database; the engine compares successive samples, so only new deadlocks count against a run.
create or replace function progressive_backfill.backfill_database_load() returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'longRunningQueries', (
      select count(*) from pg_catalog.pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and query_start < now() - interval '30 seconds'
        and backend_type = 'client backend'),
    'lockWaits', (select count(*) from pg_catalog.pg_stat_activity where wait_event_type = 'Lock'),
    'deadlocks', coalesce((select deadlocks from pg_catalog.pg_stat_database where datname = current_database()), 0))
$$;

-- ===== 40_backfill_fail_backfill.sql =====
create or replace function progressive_backfill.backfill_fail_backfill(p_repository_id bigint, p_error text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_error text := left(coalesce(nullif(btrim(p_error), ''), 'failed'), 2000);
begin
  perform progressive_backfill.lock_state(p_repository_id);
  perform progressive_backfill.close_open_chunks(p_repository_id, 'failed', v_error);
  update progressive_backfill.backfill_state
  set status = 'failed', last_error = v_error, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

-- ===== 40_backfill_fail_chunk.sql =====
create or replace function progressive_backfill.backfill_fail_chunk(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_error text,
  p_retryable boolean,
  p_max_failures int default 5
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_error text := left(coalesce(p_error, 'unknown error'), 2000);
  v_retry_at timestamptz;
  v_errors int;
begin
  if p_max_failures is null or p_max_failures < 1 then
    raise exception 'max failures must be >= 1' using errcode = 'PB004';
  end if;
  v_chunk := progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);

  if coalesce(p_retryable, false) and v_chunk.failures + 1 < p_max_failures then
    -- exponential backoff with +-25 % jitter so that failing chunks do not retry in lockstep
    v_retry_at := now() + make_interval(
      secs => least(power(2, v_chunk.failures + 1), 3600) * (0.75 + random() * 0.5));
    update progressive_backfill.backfill_chunks
    set status = 'pending', failures = failures + 1, last_error = v_error, lease_owner = null,
        lease_expires_at = null, run_at = v_retry_at, heartbeat_at = now()
    where id = p_chunk_id
    returning * into v_chunk;
    update progressive_backfill.backfill_state
    set consecutive_errors = consecutive_errors + 1, last_error = v_error, updated_at = now()
    where repository_id = v_chunk.repository_id
    returning consecutive_errors into v_errors;
  else
    update progressive_backfill.backfill_chunks
    set status = 'failed', failures = failures + 1, last_error = v_error, lease_owner = null,
        lease_expires_at = null, finished_at = now(), heartbeat_at = now()
    where id = p_chunk_id
    returning * into v_chunk;
    update progressive_backfill.backfill_state
    set status = 'failed', consecutive_errors = consecutive_errors + 1, last_error = v_error,
        pause_reason = null, resume_at = null, updated_at = now()
    where repository_id = v_chunk.repository_id
    returning consecutive_errors into v_errors;
  end if;

  return jsonb_build_object('chunkStatus', v_chunk.status, 'retryAt', v_retry_at, 'consecutiveErrors', v_errors);
end
$$;

-- ===== 40_backfill_finish_run.sql =====
create or replace function progressive_backfill.backfill_finish_run(p_run_id bigint, p_outcome text, p_error_summary jsonb default null)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_outcome text;
begin
  if p_outcome is null or p_outcome not in ('completed', 'interrupted', 'failed', 'partial') then
    raise exception 'outcome must be completed, interrupted, failed or partial' using errcode = 'PB004';
  end if;
  select outcome into v_outcome from progressive_backfill.backfill_runs where id = p_run_id for update;
  if not found then
    raise exception 'unknown run %', p_run_id using errcode = 'PB004';
  end if;
  if v_outcome <> 'running' then
    raise exception 'run % already finished (%)', p_run_id, v_outcome using errcode = 'PB003';
  end if;
  update progressive_backfill.backfill_runs
  set outcome = p_outcome, finished_at = now(), heartbeat_at = now(), error_summary = p_error_summary
  where id = p_run_id;
end
$$;

-- ===== 40_backfill_get_repository.sql =====
create or replace function progressive_backfill.backfill_get_repository(
  p_repository_id bigint default null,
  p_owner text default null,
  p_name text default null
) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_repository_id is not null then
    v_id := p_repository_id;
  elsif p_owner is not null and p_name is not null then
    select id into v_id from progressive_backfill.repositories where lower(full_name) = lower(p_owner || '/' || p_name);
  else
    raise exception 'give a repository id or an owner and name' using errcode = 'PB004';
  end if;
  return progressive_backfill.repository_json(v_id);
end
$$;

-- ===== 40_backfill_heartbeat.sql =====
create or replace function progressive_backfill.backfill_heartbeat(p_chunk_id bigint, p_fencing_token bigint, p_lease_seconds int)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_expires timestamptz;
  v_run_id bigint;
begin
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;
  update progressive_backfill.backfill_chunks
  set lease_expires_at = now() + make_interval(secs => p_lease_seconds), heartbeat_at = now()
  where id = p_chunk_id and status = 'running' and fencing_token = p_fencing_token
  returning lease_expires_at, run_id into v_expires, v_run_id;
  if not found then
    raise exception 'stale lease: chunk % is not running with fencing token %', p_chunk_id, p_fencing_token
      using errcode = 'PB001';
  end if;
  if v_run_id is not null then
    perform progressive_backfill.touch_run(v_run_id, 0, 0);
  end if;
  return jsonb_build_object('leaseExpiresAt', v_expires);
end
$$;

-- ===== 40_backfill_pause.sql =====
create or replace function progressive_backfill.backfill_pause(
  p_repository_id bigint,
  p_reason text,
  p_resume_at timestamptz
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_reason is null or btrim(p_reason) = '' then
    raise exception 'a pause needs a reason' using errcode = 'PB004';
  end if;
  if p_resume_at is null or p_resume_at <= now() then
    raise exception 'resume time must be in the future' using errcode = 'PB004';
  end if;
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['active', 'paused'], 'pause');

  -- The worker holding the lease finds out on its next call (PB001) and stops.
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now()
  where repository_id = p_repository_id and status = 'running';
  update progressive_backfill.backfill_state
  set status = 'paused', pause_reason = left(p_reason, 2000), resume_at = p_resume_at, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

-- ===== 40_backfill_progress.sql =====
create or replace function progressive_backfill.backfill_progress() returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(
    jsonb_build_object(
      'repositoryId', p.repository_id,
      'fullName', p.full_name,
      'backfillStatus', p.status,
      'storedPrCount', p.stored_pr_count,
      'prTotalCount', p.pr_total_count,
      'progressPct', p.progress_pct,
      'prsPerHour', p.prs_per_hour,
      'etaSeconds', p.eta_seconds,
      'pausedUntil', p.paused_until,
      'pauseReason', p.pause_reason,
      'lastError', p.last_error)
    order by p.priority desc, p.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_repository_progress p
$$;

-- ===== 40_backfill_recover_stuck_chunks.sql =====
-- Leases that expired (the worker died or hung) go back to pending a limited number of times, then the chunk and
-- its backfill are marked stalled: visible in backfill_problem_chunks, never silently dropped. Runs that stopped
-- heart-beating are marked interrupted.
create or replace function progressive_backfill.backfill_recover_stuck_chunks(
  p_requeue_limit int default 3,
  p_grace_seconds int default 60,
  p_run_stale_seconds int default 900
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_requeued int;
  v_stalled int;
  v_runs int;
begin
  if p_requeue_limit is null or p_requeue_limit < 0 or p_grace_seconds is null or p_grace_seconds < 0
     or p_run_stale_seconds is null or p_run_stale_seconds < 0 then
    raise exception 'requeue limit, grace and run staleness must be >= 0' using errcode = 'PB004';
  end if;

  with stuck as (
    select c.id, c.repository_id, c.requeues
    from progressive_backfill.backfill_chunks c
    join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
    where c.status = 'running' and c.lease_expires_at < now() - make_interval(secs => p_grace_seconds)
    for update of c, s skip locked
  ),
  requeued as (
    update progressive_backfill.backfill_chunks c
    set status = 'pending', requeues = c.requeues + 1, lease_owner = null, lease_expires_at = null, run_at = now()
    from stuck
    where c.id = stuck.id and stuck.requeues < p_requeue_limit
    returning c.id
  ),
  stalled as (
    update progressive_backfill.backfill_chunks c
    set status = 'stalled', finished_at = now(), lease_owner = null, lease_expires_at = null,
        last_error = format('lease expired %s times (requeue limit %s): stalled until someone restarts it',
                            stuck.requeues + 1, p_requeue_limit)
    from stuck
    where c.id = stuck.id and stuck.requeues >= p_requeue_limit
    returning c.repository_id, c.last_error
  ),
  stalled_states as (
    update progressive_backfill.backfill_state s
    set status = 'stalled', last_error = stalled.last_error, pause_reason = null, resume_at = null,
        updated_at = now()
    from stalled
    where s.repository_id = stalled.repository_id
    returning 1
  )
  select (select count(*) from requeued), (select count(*) from stalled)
  into v_requeued, v_stalled;

  update progressive_backfill.backfill_runs
  set outcome = 'interrupted', finished_at = now(),
      error_summary = coalesce(error_summary,
        jsonb_build_object('reason', format('no heartbeat for more than %s seconds', p_run_stale_seconds)))
  where outcome = 'running' and heartbeat_at < now() - make_interval(secs => p_run_stale_seconds);
  get diagnostics v_runs = row_count;

  return jsonb_build_object('requeued', v_requeued, 'stalled', v_stalled, 'runsInterrupted', v_runs);
end
$$;

-- ===== 40_backfill_release_chunk.sql =====
create or replace function progressive_backfill.backfill_release_chunk(p_chunk_id bigint, p_fencing_token bigint)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now(), heartbeat_at = now()
  where id = p_chunk_id;
end
$$;

-- ===== 40_backfill_resume.sql =====
create or replace function progressive_backfill.backfill_resume(p_repository_id bigint) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['paused'], 'resume');
  update progressive_backfill.backfill_state
  set status = 'active', pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

-- ===== 40_backfill_schema_version.sql =====
-- The newest migration applied (its 14-digit version as a number); the code compares it with the newest migration
-- it depends on, so a database that needs `progressive-backfill migrate` says so before anything else runs.
create or replace function progressive_backfill.backfill_schema_version() returns bigint
language sql stable security definer set search_path = ''
as $$ select max(version)::bigint from progressive_backfill.schema_migrations $$;

-- ===== 40_backfill_select_repositories.sql =====
-- Which repositories to work on next. Read-only.
-- A candidate is a tracked repository (only the named ones when p_repository_ids is given) that is
--   (a) in progress: active with no live lease on its chunk, or paused with resume_at already passed;
--   (b) idle or completed, with at least p_min_prs pull requests on GitHub (named repositories skip that test) and
--       stored/total below p_threshold (an idle repository whose total is unknown counts as below, and a named
--       empty one starts too, so that it is recorded as completed rather than left idle)
--       -> needsStart: call backfill_start_backfill first;
--   (c) completed and last refreshed (or completed) more than p_refresh_after_seconds ago -> needsRefresh
--       (only when it does not need a restart, which covers a refresh).
-- Failed, cancelled and stalled backfills wait for a human; paused-into-the-future ones wait for their time.
-- Order: priority desc, then in-progress before new, then lowest completeness first (unknown first), then the most
-- pull requests left (total - stored) first, then id.
create or replace function progressive_backfill.backfill_select_repositories(
  p_threshold numeric default 0.8,
  p_min_prs int default 100,
  p_limit int default 50,
  p_repository_ids bigint[] default null,
  p_refresh_after_seconds int default 3600
) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_threshold is null or p_threshold < 0 or p_threshold > 1 then
    raise exception 'threshold must be between 0 and 1' using errcode = 'PB004';
  end if;
  if p_min_prs is null or p_min_prs < 0 then
    raise exception 'min-prs must be >= 0' using errcode = 'PB004';
  end if;
  if p_limit is null or p_limit < 1 then
    raise exception 'limit must be >= 1' using errcode = 'PB004';
  end if;
  if p_refresh_after_seconds < 0 then
    raise exception 'refresh interval must be >= 0' using errcode = 'PB004';
  end if;

  return coalesce((
    select jsonb_agg(
      jsonb_build_object(
        'repositoryId', c.id,
        'owner', c.owner,
        'name', c.name,
        'fullName', c.full_name,
        'priority', c.priority,
        'storedPrCount', c.stored_pr_count,
        'prTotalCount', c.pr_total_count,
        'completeness', c.completeness,
        'backfillStatus', c.status,
        'needsStart', c.needs_start,
        'needsRefresh', c.needs_refresh,
        'watermark', c.watermark)
      order by c.ord)
    from (
      select f.*, row_number() over (
        order by f.priority desc, f.in_progress desc, f.completeness asc nulls first,
                 (f.pr_total_count - f.stored_pr_count) desc nulls last, f.id) as ord
      from (
        select
          b.*,
          coalesce(b.in_progress_raw, false) as in_progress,
          coalesce(b.needs_start_raw, false) as needs_start,
          coalesce(b.stale_raw and not coalesce(b.needs_start_raw, false), false) as needs_refresh
        from (
          select
            r.id, r.owner, r.name, r.full_name, r.priority, r.stored_pr_count, r.pr_total_count,
            s.status, s.watermark,
            case when r.pr_total_count > 0 then r.stored_pr_count::float8 / r.pr_total_count end as completeness,
            (s.status = 'active'
               and not exists (
                 select 1 from progressive_backfill.backfill_chunks ch
                 where ch.repository_id = r.id and ch.status = 'running' and ch.lease_expires_at > now()))
              or (s.status = 'paused' and s.resume_at <= now()) as in_progress_raw,
            s.status in ('idle', 'completed')
              and (r.id = any(p_repository_ids) or r.pr_total_count >= p_min_prs)
              and (r.stored_pr_count::numeric / nullif(r.pr_total_count, 0) < p_threshold
                   or (s.status = 'idle' and r.pr_total_count is null)
                   or (s.status = 'idle' and r.pr_total_count = 0 and r.id = any(p_repository_ids))) as needs_start_raw,
            s.status = 'completed'
              and greatest(s.refreshed_at, s.completed_at)
                  < now() - make_interval(secs => p_refresh_after_seconds) as stale_raw
          from progressive_backfill.repositories r
          join progressive_backfill.backfill_state s on s.repository_id = r.id
          where r.tracked and (p_repository_ids is null or r.id = any(p_repository_ids))
        ) b
      ) f
      where f.in_progress or f.needs_start or f.needs_refresh
      order by ord
      limit p_limit
    ) c
  ), '[]'::jsonb);
end
$$;

-- ===== 40_backfill_start_backfill.sql =====
create or replace function progressive_backfill.backfill_start_backfill(
  p_repository_id bigint,
  p_field_profile text default 'core'
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
begin
  if p_field_profile is null or p_field_profile not in ('core', 'standard', 'full') then
    raise exception 'field profile must be core, standard or full' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_state (repository_id)
  select id from progressive_backfill.repositories where id = p_repository_id
  on conflict (repository_id) do nothing;
  v_state := progressive_backfill.lock_state(p_repository_id);

  if v_state.status in ('idle', 'completed') then
    -- A fresh walk; PRs updated while it runs are caught by the refresh that follows (watermark = start).
    update progressive_backfill.backfill_state
    set status = 'active', field_profile = p_field_profile, cursor = null, started_at = now(),
        completed_at = null, watermark = now(), consecutive_errors = 0, last_error = null, updated_at = now()
    where repository_id = p_repository_id;
  elsif v_state.status in ('failed', 'cancelled', 'stalled') then
    -- Carry on from where the walk stopped.
    update progressive_backfill.backfill_state
    set status = 'active', field_profile = p_field_profile, started_at = coalesce(started_at, now()),
        completed_at = null, watermark = coalesce(watermark, now()), consecutive_errors = 0, updated_at = now()
    where repository_id = p_repository_id;
  end if;

  -- Every active or paused backfill has exactly one open chunk (this also repairs one that somehow lost it).
  if not exists (
    select 1 from progressive_backfill.backfill_chunks where repository_id = p_repository_id and status in ('pending', 'running')
  ) then
    perform progressive_backfill.open_next_chunk(p_repository_id);
  end if;
  return progressive_backfill.state_json(p_repository_id);
end
$$;

-- ===== 40_backfill_start_run.sql =====
create or replace function progressive_backfill.backfill_start_run(p_trigger text, p_trigger_ref text, p_worker_id text, p_dry_run boolean)
returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_trigger is null or p_trigger not in ('workflow', 'cli', 'function', 'test') then
    raise exception 'trigger must be workflow, cli, function or test' using errcode = 'PB004';
  end if;
  if p_worker_id is null or btrim(p_worker_id) = '' then
    raise exception 'worker id must not be empty' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_runs (trigger, trigger_ref, worker_id, dry_run)
  values (p_trigger, p_trigger_ref, p_worker_id, coalesce(p_dry_run, false))
  returning id into v_id;
  return v_id;
end
$$;

-- ===== 40_backfill_track_repository.sql =====
create or replace function progressive_backfill.backfill_track_repository(
  p_owner text,
  p_name text,
  p_github_id bigint default null,
  p_node_id text default null,
  p_pr_total_count int default null,
  p_priority int default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_owner is null or p_owner !~ '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$' then
    raise exception 'invalid repository owner %', coalesce(quote_literal(p_owner), 'null') using errcode = 'PB004';
  end if;
  if p_name is null or p_name !~ '^[A-Za-z0-9._-]{1,100}$' or p_name in ('.', '..') then
    raise exception 'invalid repository name %', coalesce(quote_literal(p_name), 'null') using errcode = 'PB004';
  end if;
  if p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;

  -- A known GitHub id under another name is the same repository, renamed.
  if p_github_id is not null then
    update progressive_backfill.repositories
    set owner = p_owner,
        name = p_name,
        node_id = coalesce(p_node_id, node_id),
        pr_total_count = coalesce(p_pr_total_count, pr_total_count),
        pr_total_count_at = case when p_pr_total_count is not null then now() else pr_total_count_at end,
        priority = coalesce(p_priority, priority),
        tracked = true,
        updated_at = now()
    where github_id = p_github_id
    returning id into v_id;
  end if;

  if v_id is null then
    insert into progressive_backfill.repositories as r (owner, name, github_id, node_id, pr_total_count, pr_total_count_at, priority)
    values (p_owner, p_name, p_github_id, p_node_id, p_pr_total_count,
            case when p_pr_total_count is not null then now() end, coalesce(p_priority, 0))
    on conflict (lower(full_name)) do update set
      github_id = coalesce(excluded.github_id, r.github_id),
      node_id = coalesce(excluded.node_id, r.node_id),
      pr_total_count = coalesce(excluded.pr_total_count, r.pr_total_count),
      pr_total_count_at = coalesce(excluded.pr_total_count_at, r.pr_total_count_at),
      priority = coalesce(p_priority, r.priority),
      tracked = true,
      updated_at = now()
    returning id into v_id;
  end if;

  insert into progressive_backfill.backfill_state (repository_id) values (v_id) on conflict (repository_id) do nothing;
  return progressive_backfill.repository_json(v_id);
end
$$;

-- ===== 40_backfill_update_repository_counts.sql =====
create or replace function progressive_backfill.backfill_update_repository_counts(p_repository_id bigint, p_pr_total_count int)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_pr_total_count is null or p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;
  update progressive_backfill.repositories
  set pr_total_count = p_pr_total_count, pr_total_count_at = now(), updated_at = now()
  where id = p_repository_id;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
end
$$;

-- ===== 40_backfill_upsert_pull_requests.sql =====
create or replace function progressive_backfill.backfill_upsert_pull_requests(p_repository_id bigint, p_prs jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int;
  v_updated int;
begin
  select u.inserted, u.updated into v_inserted, v_updated from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  return jsonb_build_object('inserted', v_inserted, 'updated', v_updated);
end
$$;

-- ===== 99_privileges.sql =====
-- Last: every object exists now, so the privileges can be settled (see 01_apply_privileges.sql).
select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202000001', 'baseline')
on conflict (version) do nothing;
