-- Scope adoption (issue 12 item 6): a run that gives no scope (the tick, the tracked set) carries each backfill on
-- under its own stored scope instead of being refused. start_backfill takes a null scope as "the backfill's own";
-- select_repositories, repository_json and progress say each backfill's scope. A backfill changes scope by being
-- cancelled (a completed one too) and then named by a run with the new scope, which restarts it.

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

-- An operator's cancel: the backfill stops (and a completed one is no longer refreshed) until a run names it again,
-- which may give it a new scope (start_backfill).
create or replace function progressive_backfill.backfill_cancel(p_repository_id bigint, p_reason text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_reason text := left(coalesce(nullif(btrim(p_reason), ''), 'cancelled'), 2000);
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['idle', 'active', 'paused', 'completed'], 'cancel');
  perform progressive_backfill.close_open_chunks(p_repository_id, 'cancelled', v_reason);
  update progressive_backfill.backfill_state
  set status = 'cancelled', last_error = v_reason, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

create or replace function progressive_backfill.repository_json(p_repository_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', r.id,
    'githubId', r.github_id::text,
    'nodeId', r.node_id,
    'owner', r.owner,
    'name', r.name,
    'fullName', r.full_name,
    'prTotalCount', r.pr_total_count,
    'prTotalCountAt', r.pr_total_count_at,
    'storedPrCount', r.stored_pr_count,
    'tracked', r.tracked,
    'priority', r.priority,
    'backfillStatus', coalesce(s.status, 'idle'),
    'scope', coalesce(s.scope, '{}'::jsonb))
  from progressive_backfill.repositories r
  left join progressive_backfill.backfill_state s on s.repository_id = r.id
  where r.id = p_repository_id
$$;

-- Which repositories to work on next. Read-only.
-- A candidate is a tracked repository (only the named ones when p_repository_ids is given) that is
--   (a) in progress: active with no live lease on its chunk (a lease whose holder is gone is not live), or paused
--       with resume_at already passed;
--   (b) idle or completed, with at least p_min_prs pull requests on GitHub (named repositories skip that test) and
--       stored/total below p_threshold (an idle repository whose total is unknown counts as below, and a named
--       empty one starts too, so that it is recorded as completed rather than left idle)
--       -> needsStart: call backfill_start_backfill first;
--   (c) completed and last refreshed (or completed) more than p_refresh_after_seconds ago -> needsRefresh
--       (only when it does not need a restart, which covers a refresh).
--   (d) cancelled, and named -> needsStart: a run that names it restarts it (carrying on, or afresh with a new scope).
-- Failed and stalled backfills wait for a human (`retry`); paused-into-the-future ones wait for their time.
-- Each candidate carries its backfill's stored scope, which a run that gives none adopts.
-- Order: priority desc, then in-progress before new, then lowest completeness first (unknown first), then the most
-- pull requests left (total - stored) first, then id.
create or replace function progressive_backfill.backfill_select_repositories(
  p_threshold numeric default 0.8,
  p_min_prs int default 100,
  p_limit int default 50,
  p_repository_ids bigint[] default null,
  p_refresh_after_seconds int default 3600
) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_threshold is null or p_threshold < 0 or p_threshold > 1 then
    raise exception 'threshold must be between 0 and 1' using errcode = 'PB004';
  end if;
  if p_min_prs is null or p_min_prs < 0 then
    raise exception 'min-prs must be >= 0' using errcode = 'PB004';
  end if;
  if p_limit is null or p_limit < 1 then
    raise exception 'limit must be >= 1' using errcode = 'PB004';
  end if;
  if p_refresh_after_seconds < 0 then
    raise exception 'refresh interval must be >= 0' using errcode = 'PB004';
  end if;

  return coalesce((
    select jsonb_agg(
      jsonb_build_object(
        'repositoryId', c.id,
        'owner', c.owner,
        'name', c.name,
        'fullName', c.full_name,
        'priority', c.priority,
        'storedPrCount', c.stored_pr_count,
        'prTotalCount', c.pr_total_count,
        'completeness', c.completeness,
        'backfillStatus', c.status,
        'needsStart', c.needs_start,
        'needsRefresh', c.needs_refresh,
        'watermark', c.watermark,
        'scope', c.scope)
      order by c.ord)
    from (
      select f.*, row_number() over (
        order by f.priority desc, f.in_progress desc, f.completeness asc nulls first,
                 (f.pr_total_count - f.stored_pr_count) desc nulls last, f.id) as ord
      from (
        select
          b.*,
          coalesce(b.in_progress_raw, false) as in_progress,
          coalesce(b.needs_start_raw, false) as needs_start,
          coalesce(b.stale_raw and not coalesce(b.needs_start_raw, false), false) as needs_refresh
        from (
          select
            r.id, r.owner, r.name, r.full_name, r.priority, r.stored_pr_count, r.pr_total_count,
            s.status, s.watermark, s.scope,
            case when r.pr_total_count > 0 then r.stored_pr_count::float8 / r.pr_total_count end as completeness,
            (s.status = 'active'
               and not exists (
                 select 1 from progressive_backfill.backfill_chunks ch
                 where ch.repository_id = r.id and ch.status = 'running' and ch.lease_expires_at > now()
                   and progressive_backfill.lease_holder_alive(ch.lease_holder_key) is not false))
              or (s.status = 'paused' and s.resume_at <= now()) as in_progress_raw,
            (s.status in ('idle', 'completed')
              and (r.id = any(p_repository_ids) or r.pr_total_count >= p_min_prs)
              and (r.stored_pr_count::numeric / nullif(r.pr_total_count, 0) < p_threshold
                   or (s.status = 'idle' and r.pr_total_count is null)
                   or (s.status = 'idle' and r.pr_total_count = 0 and r.id = any(p_repository_ids))))
              -- a cancelled backfill restarts when a run names it (with a new scope, or to carry on)
              or (s.status = 'cancelled' and r.id = any(p_repository_ids)) as needs_start_raw,
            s.status = 'completed'
              and greatest(s.refreshed_at, s.completed_at)
                  < now() - make_interval(secs => p_refresh_after_seconds) as stale_raw
          from progressive_backfill.repositories r
          join progressive_backfill.backfill_state s on s.repository_id = r.id
          where r.tracked and (p_repository_ids is null or r.id = any(p_repository_ids))
        ) b
      ) f
      where f.in_progress or f.needs_start or f.needs_refresh
      order by ord
      limit p_limit
    ) c
  ), '[]'::jsonb);
end
$$;

create or replace function progressive_backfill.backfill_progress() returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(
    jsonb_build_object(
      'repositoryId', p.repository_id,
      'fullName', p.full_name,
      'backfillStatus', p.status,
      'storedPrCount', p.stored_pr_count,
      'prTotalCount', p.pr_total_count,
      'progressPct', p.progress_pct,
      'prsPerHour', p.prs_per_hour,
      'etaSeconds', p.eta_seconds,
      'pausedUntil', p.paused_until,
      'pauseReason', p.pause_reason,
      'lastError', p.last_error,
      'scope', coalesce(
        (select s.scope from progressive_backfill.backfill_state s where s.repository_id = p.repository_id), '{}'::jsonb),
      -- why a failed or stalled backfill stopped: its last chunk that did
      'problemChunk', case when p.status in ('failed', 'stalled') then (
        select jsonb_build_object(
          'chunkNumber', c.chunk_number, 'status', c.status, 'requeues', c.requeues, 'failures', c.failures)
        from progressive_backfill.backfill_chunks c
        where c.repository_id = p.repository_id and c.status in ('failed', 'stalled')
        order by c.chunk_number desc
        limit 1) end)
    order by p.priority desc, p.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_repository_progress p
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261203200001', 'scope_adoption')
on conflict (version) do nothing;
