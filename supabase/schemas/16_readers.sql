-- Roles an operator gave read access with progressive_backfill.grant_read. apply_privileges grants them again after
-- every migration, so a table added later is readable too.
create table if not exists progressive_backfill.readers (
  role_name name primary key,
  granted_at timestamptz not null default now()
);
alter table progressive_backfill.readers enable row level security;
