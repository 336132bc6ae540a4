create or replace function progressive_backfill.backfill_start_backfill(
  p_repository_id bigint,
  p_field_profile text default 'core',
  p_scope jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_full_name text;
begin
  if p_field_profile is null or p_field_profile not in ('core', 'standard', 'full') then
    raise exception 'field profile must be core, standard or full' using errcode = 'PB004';
  end if;
  if p_scope is not null and jsonb_typeof(p_scope) <> 'object' then
    raise exception 'scope must be a JSON object' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_state (repository_id)
  select id from progressive_backfill.repositories where id = p_repository_id
  on conflict (repository_id) do nothing;
  v_state := progressive_backfill.lock_state(p_repository_id);
  -- No scope given (the tick, the tracked set, a run without --since/--states/--base): the backfill's own, which
  -- for one never started is the whole repository.
  p_scope := coalesce(p_scope, v_state.scope);

  -- The stored pull requests answer one scope; a walk under another would mix two. Only a cancelled (or never
  -- started) backfill may take a new scope, and then it walks afresh.
  if v_state.scope is distinct from p_scope and v_state.status not in ('idle', 'cancelled') then
    select full_name into v_full_name from progressive_backfill.repositories where id = p_repository_id;
    raise exception 'repository % is being backfilled with scope %; run with the same scope, or `progressive-backfill cancel %` first',
      v_full_name, v_state.scope, v_full_name
      using errcode = 'PB003';
  end if;

  -- A new scope: the stored pull requests outside it go (with their children), so the tables hold the scope's pull
  -- requests and completeness counts only those; widening a scope removes nothing.
  if v_state.scope is distinct from p_scope then
    perform progressive_backfill.delete_outside_scope(p_repository_id, p_scope);
  end if;

  -- (a backfill cancelled after it completed has nothing left to carry on: it walks afresh too)
  if v_state.status in ('idle', 'completed') or v_state.scope is distinct from p_scope
     or (v_state.status = 'cancelled' and v_state.completed_at is not null) then
    -- A fresh walk; PRs updated while it runs are caught by the refresh that follows (watermark = start).
    update progressive_backfill.backfill_state
    set status = 'active', field_profile = p_field_profile, scope = p_scope, cursor = null, started_at = now(),
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
