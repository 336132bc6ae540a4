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
