create or replace function progressive_backfill.backfill_start_backfill(
  p_repository_id bigint,
  p_field_profile text default 'core'
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
begin
  if p_field_profile is null or p_field_profile not in ('core', 'standard', 'full') then
    raise exception 'field profile must be core, standard or full' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_state (repository_id)
  select id from progressive_backfill.repositories where id = p_repository_id
  on conflict (repository_id) do nothing;
  v_state := progressive_backfill.lock_state(p_repository_id);

  if v_state.status in ('idle', 'completed') then
    -- A fresh walk; PRs updated while it runs are caught by the refresh that follows (watermark = start).
    update progressive_backfill.backfill_state
    set status = 'active', field_profile = p_field_profile, cursor = null, started_at = now(),
        completed_at = null, watermark = now(), consecutive_errors = 0, last_error = null, updated_at = now()
    where repository_id = p_repository_id;
  elsif v_state.status in ('failed', 'cancelled', 'stalled') then
    -- Carry on from where the walk stopped.
    update progressive_backfill.backfill_state
    set status = 'active', field_profile = p_field_profile, started_at = coalesce(started_at, now()),
        completed_at = null, watermark = coalesce(watermark, now()), consecutive_errors = 0, updated_at = now()
    where repository_id = p_repository_id;
  end if;

  -- Every active or paused backfill has exactly one open chunk (this also repairs one that somehow lost it).
  if not exists (
    select 1 from progressive_backfill.backfill_chunks where repository_id = p_repository_id and status in ('pending', 'running')
  ) then
    perform progressive_backfill.open_next_chunk(p_repository_id);
  end if;
  return progressive_backfill.state_json(p_repository_id);
end
$$;
