-- Schema version 2: the database-load sample behind the engine's health check, and cheaper TOAST for big bodies.

-- Load right now (queries running for over 30 s, sessions waiting on a lock) plus the cumulative deadlock counter
-- of this database; the engine compares successive samples, so only new deadlocks count against a run.
create or replace function backfill_database_load() returns jsonb
language sql stable security definer set search_path = public, pg_temp
as $$
  select jsonb_build_object(
    'longRunningQueries', (
      select count(*) from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and query_start < now() - interval '30 seconds'
        and backend_type = 'client backend'),
    'lockWaits', (select count(*) from pg_stat_activity where wait_event_type = 'Lock'),
    'deadlocks', coalesce((select deadlocks from pg_stat_database where datname = current_database()), 0))
$$;

revoke all on function backfill_database_load() from public, anon, authenticated;
grant execute on function backfill_database_load() to service_role;

create or replace function backfill_schema_version() returns int
language sql immutable security definer set search_path = public, pg_temp
as $$ select 2 $$;

-- lz4 compresses pull-request bodies several times faster than the default pglz, which dominates a page commit.
-- Servers built without lz4 (PGlite among them) keep pglz.
do $$
begin
  alter table pull_requests alter column body set compression lz4;
exception when feature_not_supported or invalid_parameter_value then
  null;
end
$$;
