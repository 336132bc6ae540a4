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
