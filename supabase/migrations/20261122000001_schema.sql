-- progressive-backfill: tables, constraints, indexes, roles, row-level security, grants and views.
-- The state machine lives in 20261122000002_transitions.sql; nothing here writes data.

-- Supabase has these roles already; plain Postgres and PGlite do not. Roles are cluster-wide, so two databases
-- migrating at once may race to create them: losing that race is fine.
do $$
declare
  v_role text;
begin
  foreach v_role in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = v_role) then
      begin
        if v_role = 'service_role' then
          execute format('create role %I nologin bypassrls', v_role);
        else
          execute format('create role %I nologin', v_role);
        end if;
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$$;

create table repositories (
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
create unique index repositories_full_name_key on repositories (lower(full_name));

create table pull_requests (
  id bigint generated always as identity primary key,
  repository_id bigint not null references repositories (id) on delete cascade,
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
create index pull_requests_repository_updated_idx on pull_requests (repository_id, updated_at desc);

create table backfill_state (
  repository_id bigint primary key references repositories (id) on delete cascade,
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

-- Fencing tokens are never reused, across chunks and repositories: a token identifies exactly one lease.
create sequence backfill_fencing_token_seq;

create table backfill_runs (
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
create index backfill_runs_running_idx on backfill_runs (heartbeat_at) where outcome = 'running';

create table backfill_chunks (
  id bigint generated always as identity primary key,
  repository_id bigint not null references repositories (id) on delete cascade,
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
  run_id bigint references backfill_runs (id) on delete set null,
  unique (repository_id, chunk_number),
  constraint backfill_chunks_lease_check
    check ((status = 'running') = (lease_owner is not null and lease_expires_at is not null)),
  constraint backfill_chunks_token_check check (status <> 'running' or fencing_token is not null),
  constraint backfill_chunks_finished_check
    check ((status in ('completed', 'failed', 'cancelled', 'stalled')) = (finished_at is not null))
);
-- At most one open chunk per repository: the walk of one repository is strictly sequential.
create unique index backfill_chunks_one_open_idx on backfill_chunks (repository_id)
  where status in ('pending', 'running');
create index backfill_chunks_claimable_idx on backfill_chunks (run_at, id) where status = 'pending';
create index backfill_chunks_lease_idx on backfill_chunks (lease_expires_at) where status = 'running';
create index backfill_chunks_problem_idx on backfill_chunks (repository_id) where status in ('failed', 'stalled');
create index backfill_chunks_run_idx on backfill_chunks (run_id) where run_id is not null;

-- Row-level security: dashboards (authenticated) may read, nobody but the service role (which bypasses RLS) and
-- the security-definer functions may write.
alter table repositories enable row level security;
alter table pull_requests enable row level security;
alter table backfill_state enable row level security;
alter table backfill_chunks enable row level security;
alter table backfill_runs enable row level security;

create policy repositories_read on repositories for select to authenticated using (true);
create policy pull_requests_read on pull_requests for select to authenticated using (true);
create policy backfill_state_read on backfill_state for select to authenticated using (true);
create policy backfill_chunks_read on backfill_chunks for select to authenticated using (true);
create policy backfill_runs_read on backfill_runs for select to authenticated using (true);

grant usage on schema public to anon, authenticated, service_role;
revoke all on repositories, pull_requests, backfill_state, backfill_chunks, backfill_runs from anon, authenticated;
grant select on repositories, pull_requests, backfill_state, backfill_chunks, backfill_runs to authenticated;
grant select, insert, update, delete on repositories, pull_requests, backfill_state, backfill_chunks, backfill_runs
  to service_role;
revoke all on sequence backfill_fencing_token_seq from anon, authenticated;

-- Views run with the caller's rights, so RLS above still decides what a dashboard sees.

-- Every tracked repository: backfill status, progress, recent speed (PRs per hour over the chunks active in the
-- last hour) and the time left at that speed.
create view backfill_repository_progress with (security_invoker = true) as
with recent as (
  select
    c.repository_id,
    sum(c.prs_written) as prs,
    min(c.started_at) as since
  from backfill_chunks c
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
from repositories r
join backfill_state s on s.repository_id = r.id
left join speed sp on sp.repository_id = r.id
where r.tracked;

-- Backfills that are not finished.
create view backfill_active_progress with (security_invoker = true) as
select * from backfill_repository_progress where status in ('active', 'paused', 'failed', 'stalled');

-- Chunks that need a human: failed for good, or stalled after too many expired leases.
create view backfill_problem_chunks with (security_invoker = true) as
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
from backfill_chunks c
join repositories r on r.id = c.repository_id
join backfill_state s on s.repository_id = c.repository_id
where c.status in ('failed', 'stalled');

create view backfill_repository_completion with (security_invoker = true) as
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
from repositories r
left join backfill_state s on s.repository_id = r.id;

revoke all on backfill_repository_progress, backfill_active_progress, backfill_problem_chunks, backfill_repository_completion
  from anon;
grant select on backfill_repository_progress, backfill_active_progress, backfill_problem_chunks,
  backfill_repository_completion
  to authenticated, service_role;
