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
