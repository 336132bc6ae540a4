create or replace function progressive_backfill.backfill_start_run(p_trigger text, p_trigger_ref text, p_worker_id text, p_dry_run boolean)
returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_trigger is null or p_trigger not in ('workflow', 'cli', 'function', 'test') then
    raise exception 'trigger must be workflow, cli, function or test' using errcode = 'PB004';
  end if;
  if p_worker_id is null or btrim(p_worker_id) = '' then
    raise exception 'worker id must not be empty' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_runs (trigger, trigger_ref, worker_id, dry_run)
  values (p_trigger, p_trigger_ref, p_worker_id, coalesce(p_dry_run, false))
  returning id into v_id;
  return v_id;
end
$$;
