-- Scope filters (issue 12 item 6): a backfill remembers which pull requests it covers (since, states, base), and
-- start_backfill refuses a run with another scope unless the backfill was cancelled first.

alter table progressive_backfill.backfill_state
  add column scope jsonb not null default '{}'::jsonb check (jsonb_typeof(scope) = 'object');

drop function progressive_backfill.backfill_start_backfill(bigint, text);

create or replace function progressive_backfill.backfill_start_backfill(
  p_repository_id bigint,
  p_field_profile text default 'core',
  p_scope jsonb default '{}'::jsonb
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
  if p_scope is null or jsonb_typeof(p_scope) <> 'object' then
    raise exception 'scope must be a JSON object' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.backfill_state (repository_id)
  select id from progressive_backfill.repositories where id = p_repository_id
  on conflict (repository_id) do nothing;
  v_state := progressive_backfill.lock_state(p_repository_id);

  -- The stored pull requests answer one scope; a walk under another would mix two. Only a cancelled (or never
  -- started) backfill may take a new scope, and then it walks afresh.
  if v_state.scope is distinct from p_scope and v_state.status not in ('idle', 'cancelled') then
    select full_name into v_full_name from progressive_backfill.repositories where id = p_repository_id;
    raise exception 'repository % is being backfilled with scope %; run with the same scope, or `progressive-backfill cancel %` first',
      v_full_name, v_state.scope, v_full_name
      using errcode = 'PB003';
  end if;

  if v_state.status in ('idle', 'completed') or v_state.scope is distinct from p_scope then
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

create or replace function progressive_backfill.state_json(p_repository_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'repositoryId', s.repository_id,
    'status', s.status,
    'fieldProfile', s.field_profile,
    'scope', s.scope,
    'cursor', s.cursor,
    'pauseReason', s.pause_reason,
    'resumeAt', s.resume_at,
    'consecutiveErrors', s.consecutive_errors,
    'lastError', s.last_error,
    'pointsSpent', s.points_spent,
    'prsWritten', s.prs_written,
    'startedAt', s.started_at,
    'completedAt', s.completed_at,
    'watermark', s.watermark,
    'refreshedAt', s.refreshed_at,
    'openChunkId', (
      select c.id from progressive_backfill.backfill_chunks c
      where c.repository_id = s.repository_id and c.status in ('pending', 'running')))
  from progressive_backfill.backfill_state s
  where s.repository_id = p_repository_id
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202600001', 'backfill_scope')
on conflict (version) do nothing;
