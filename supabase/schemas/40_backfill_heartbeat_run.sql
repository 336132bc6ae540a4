-- A run that is alive but between leases (refreshing, or waiting for GitHub's rate-limit reset) says so, so recovery
-- never takes it for a vanished worker and marks it interrupted. A finished run is left as it is.
create or replace function progressive_backfill.backfill_heartbeat_run(p_run_id bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_runs
  set heartbeat_at = now()
  where id = p_run_id and outcome = 'running'
$$;
