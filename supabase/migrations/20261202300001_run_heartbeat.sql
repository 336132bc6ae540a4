-- Run heartbeats outside a lease (backfill_heartbeat_run), and a run that recovery marked interrupted while it
-- was alive may still finish and record its own outcome (backfill_finish_run).

-- A run that is alive but between leases (refreshing, or waiting for GitHub's rate-limit reset) says so, so recovery
-- never takes it for a vanished worker and marks it interrupted. A finished run is left as it is.
create or replace function progressive_backfill.backfill_heartbeat_run(p_run_id bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_runs
  set heartbeat_at = now()
  where id = p_run_id and outcome = 'running'
$$;

-- A run records its outcome once. The one exception is a run that recovery marked interrupted while it was still
-- alive (it missed its heartbeats): when it finishes after all, its own outcome and summary replace recovery's guess,
-- and the guess is kept beside them as `interruptedByRecovery`.
create or replace function progressive_backfill.backfill_finish_run(p_run_id bigint, p_outcome text, p_error_summary jsonb default null)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_outcome text;
  v_summary jsonb;
begin
  if p_outcome is null or p_outcome not in ('completed', 'interrupted', 'failed', 'partial') then
    raise exception 'outcome must be completed, interrupted, failed or partial' using errcode = 'PB004';
  end if;
  select outcome, error_summary into v_outcome, v_summary
  from progressive_backfill.backfill_runs where id = p_run_id for update;
  if not found then
    raise exception 'unknown run %', p_run_id using errcode = 'PB004';
  end if;
  -- recovery's mark: interrupted with only its own reason for a summary
  if v_outcome = 'interrupted' and v_summary is not null and v_summary ? 'reason' and not v_summary ? 'totalErrors' then
    update progressive_backfill.backfill_runs
    set outcome = p_outcome, finished_at = now(), heartbeat_at = now(),
        error_summary = coalesce(p_error_summary, '{}'::jsonb)
                        || jsonb_build_object('interruptedByRecovery', v_summary -> 'reason')
    where id = p_run_id;
    return;
  end if;
  if v_outcome <> 'running' then
    raise exception 'run % already finished (%)', p_run_id, v_outcome using errcode = 'PB003';
  end if;
  update progressive_backfill.backfill_runs
  set outcome = p_outcome, finished_at = now(), heartbeat_at = now(), error_summary = p_error_summary
  where id = p_run_id;
end
$$;

-- Last: every object exists now, so the privileges can be settled (see 01_apply_privileges.sql).
select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202300001', 'run_heartbeat')
on conflict (version) do nothing;
