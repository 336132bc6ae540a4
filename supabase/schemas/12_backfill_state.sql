create table progressive_backfill.backfill_state (
  repository_id bigint primary key references progressive_backfill.repositories (id) on delete cascade,
  status text not null default 'idle'
    check (status in ('idle', 'active', 'paused', 'completed', 'failed', 'cancelled', 'stalled')),
  field_profile text not null default 'core' check (field_profile in ('core', 'standard', 'full')),
  -- which pull requests the backfill covers ({} for all; since, states, base): a run with another scope is refused
  scope jsonb not null default '{}'::jsonb check (jsonb_typeof(scope) = 'object'),
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
  -- when the last refresh reached the watermark (a refresh's pages in between leave it alone)
  refreshed_at timestamptz,
  -- the refresh in progress (backfill_commit_refresh): where it continues (GitHub's cursor of UPDATED_AT DESC), the
  -- watermark it sets when it gets there (the newest updatedAt when it began), when it began and who moves it.
  -- A position older than the walk's completion belongs to an earlier walk and counts as none.
  refresh_cursor text,
  refresh_target_watermark timestamptz,
  refresh_started_at timestamptz,
  refresh_holder text,
  updated_at timestamptz not null default now(),
  constraint backfill_state_paused_check
    check ((status = 'paused') = (resume_at is not null and pause_reason is not null)),
  constraint backfill_state_completed_check check (status <> 'completed' or completed_at is not null),
  constraint backfill_state_refresh_check check (
    (refresh_cursor is null) = (refresh_target_watermark is null)
    and (refresh_cursor is null) = (refresh_started_at is null)
    and (refresh_cursor is null) = (refresh_holder is null))
);

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.backfill_state enable row level security;
