create or replace function progressive_backfill.backfill_finish_run(p_run_id bigint, p_outcome text, p_error_summary jsonb default null)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_outcome text;
begin
  if p_outcome is null or p_outcome not in ('completed', 'interrupted', 'failed', 'partial') then
    raise exception 'outcome must be completed, interrupted, failed or partial' using errcode = 'PB004';
  end if;
  select outcome into v_outcome from progressive_backfill.backfill_runs where id = p_run_id for update;
  if not found then
    raise exception 'unknown run %', p_run_id using errcode = 'PB004';
  end if;
  if v_outcome <> 'running' then
    raise exception 'run % already finished (%)', p_run_id, v_outcome using errcode = 'PB003';
  end if;
  update progressive_backfill.backfill_runs
  set outcome = p_outcome, finished_at = now(), heartbeat_at = now(), error_summary = p_error_summary
  where id = p_run_id;
end
$$;
