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
  -- The running lease's holder session: a key its worker keeps locked with a session-level advisory lock for its
  -- whole life (see lease_holder_alive). Null when the holder could not name one (a worker behind PostgREST).
  -- Meaningful only while the chunk is running.
  lease_holder_key bigint,
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
