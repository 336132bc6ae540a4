-- A resumable incremental refresh (issue 11 item 3): the refresh's position is stored with each page it commits,
-- so a run that stops before the watermark leaves the next run a place to resume; pull requests that left a
-- backfill's scope are deleted by the refresh that sees them; a backfill whose walk completed but was never
-- refreshed since is due for a refresh at once, and so is one with a refresh in progress or follow-ups queued.
-- (Numbered after 20261203200001_scope_adoption, whose backfill_select_repositories this one extends.)

alter table progressive_backfill.backfill_state
  add column refresh_cursor text,
  add column refresh_target_watermark timestamptz,
  add column refresh_started_at timestamptz,
  add column refresh_holder text,
  add constraint backfill_state_refresh_check check (
    (refresh_cursor is null) = (refresh_target_watermark is null)
    and (refresh_cursor is null) = (refresh_started_at is null)
    and (refresh_cursor is null) = (refresh_holder is null));

-- The position of a backfill's refresh in progress, or null when none is: a position taken before the walk last
-- completed belongs to an earlier walk (the walk began again since) and counts as none.
create or replace function progressive_backfill.refresh_cursor_of(p_state progressive_backfill.backfill_state)
returns text
language sql immutable security definer set search_path = ''
as $$
  select case when p_state.refresh_started_at >= p_state.completed_at then p_state.refresh_cursor end
$$;

drop function progressive_backfill.backfill_commit_refresh(bigint, jsonb, int, timestamptz, bigint, jsonb);

-- One page of the incremental refresh, one transaction: the pull requests updated since the watermark, their
-- children, the stored pull requests that left the backfill's scope (deleted with their children), and the
-- refresh's position, compare-and-set like commit_page's cursor.
--
-- The refresh walks pullRequests(orderBy: UPDATED_AT DESC) from the newest down to the watermark. Its position is
-- stored with each page, so a run (or a 60-second tick) that stops before the watermark leaves the next run a place
-- to resume, not the top. Resuming is exact: GitHub's cursor of that ordering is a (updatedAt, id) position, so the
-- pull requests below it that did not change are still below it; one that changed after the refresh began moved to
-- the top with an updatedAt later than p_target_watermark (the newest updatedAt when the refresh began), and the
-- next refresh, which walks down to that target, lists it.
--
-- p_expected_cursor: the position the page was fetched from (null: the first page of a new refresh, allowed only
-- when none is in progress). p_next_cursor: where the refresh goes on (null: the page reached the watermark; the
-- watermark becomes the refresh's target and the position is cleared). A position older than the walk's completion
-- belongs to an earlier walk and counts as none. Another position than the expected one means another worker moved
-- (or finished) this refresh: PB002, and the caller stops. A replay of this holder's last page (its response was
-- lost) answers applied = false and writes nothing. There is no lease: nothing waits for a refresh that stopped,
-- and any run may resume it.
--
-- p_removed: [{github_id, updated_at}] of listed pull requests outside the backfill's scope; a stored one whose
-- version is not newer is deleted (reviews, comments and follow-ups go with it).
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_expected_cursor text,
  p_next_cursor text,
  p_target_watermark timestamptz,
  p_holder text,
  p_prs jsonb,
  p_points_spent int,
  p_removed jsonb default null,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
  v_inserted int;
  v_updated int;
  v_removed int := 0;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_holder is null or p_holder = '' then
    raise exception 'holder must be given' using errcode = 'PB004';
  end if;
  if p_expected_cursor is null and p_target_watermark is null then
    raise exception 'the first page of a refresh must give its target watermark' using errcode = 'PB004';
  end if;
  if p_removed is not null and jsonb_typeof(p_removed) <> 'array' then
    raise exception 'removed must be a JSON array' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  v_state := progressive_backfill.lock_state(p_repository_id);
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);

  if p_next_cursor is not null and v_cursor = p_next_cursor and v_cursor is distinct from p_expected_cursor
     and v_state.refresh_holder = p_holder then
    return jsonb_build_object('applied', false, 'inserted', 0, 'updated', 0, 'removed', 0);
  end if;
  if v_cursor is distinct from p_expected_cursor then
    raise exception 'refresh conflict: repository % is being refreshed from another position', p_repository_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  if jsonb_typeof(p_removed) = 'array' then
    begin
      with gone as (
        delete from progressive_backfill.pull_requests pr
        using jsonb_to_recordset(p_removed) as r(github_id bigint, updated_at timestamptz)
        where pr.repository_id = p_repository_id and pr.github_id = r.github_id and pr.updated_at <= r.updated_at
        returning pr.id
      )
      select count(*) into v_removed from gone;
    exception
      when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
        or numeric_value_out_of_range then
        raise exception 'invalid removed pull request: %', sqlerrm using errcode = 'PB004';
    end;
    if v_removed > 0 then
      update progressive_backfill.repositories
      set stored_pr_count = greatest(0, stored_pr_count - v_removed), updated_at = now()
      where id = p_repository_id;
    end if;
  end if;

  if p_next_cursor is null then
    update progressive_backfill.backfill_state
    set watermark = greatest(watermark,
          case when v_cursor is null then p_target_watermark else refresh_target_watermark end),
        refreshed_at = now(),
        refresh_cursor = null, refresh_target_watermark = null, refresh_started_at = null, refresh_holder = null
    where repository_id = p_repository_id;
  else
    update progressive_backfill.backfill_state
    set refresh_cursor = p_next_cursor,
        refresh_target_watermark = case when v_cursor is null then p_target_watermark else refresh_target_watermark end,
        refresh_started_at = case when v_cursor is null then now() else refresh_started_at end,
        refresh_holder = p_holder
    where repository_id = p_repository_id;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated, 'removed', v_removed);
end
$$;

-- Where a backfill's incremental refresh stands, for the run about to refresh it: the watermark it walks down to,
-- and the refresh in progress (cursor, target watermark, start, holder), all null when none is. Read-only.
create or replace function progressive_backfill.backfill_refresh_position(p_repository_id bigint) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
begin
  select * into v_state from progressive_backfill.backfill_state where repository_id = p_repository_id;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);
  return jsonb_build_object(
    'watermark', v_state.watermark,
    'cursor', v_cursor,
    'targetWatermark', case when v_cursor is not null then v_state.refresh_target_watermark end,
    'startedAt', case when v_cursor is not null then v_state.refresh_started_at end,
    'holder', case when v_cursor is not null then v_state.refresh_holder end);
end
$$;

-- Which repositories to work on next. Read-only.
-- A candidate is a tracked repository (only the named ones when p_repository_ids is given) that is
--   (a) in progress: active with no live lease on its chunk (a lease whose holder is gone is not live), or paused
--       with resume_at already passed;
--   (b) idle or completed, with at least p_min_prs pull requests on GitHub (named repositories skip that test) and
--       stored/total below p_threshold (an idle repository whose total is unknown counts as below, and a named
--       empty one starts too, so that it is recorded as completed rather than left idle)
--       -> needsStart: call backfill_start_backfill first;
--   (c) completed, and last refreshed (or completed) more than p_refresh_after_seconds ago, or not refreshed since
--       its walk completed (a walk that ended with its run's time is refreshed by the next run, not an hour
--       later), or with a refresh in progress or follow-ups queued (resumed at once) -> needsRefresh (only when
--       it does not need a restart, which covers a refresh).
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
              and (greatest(s.refreshed_at, s.completed_at) < now() - make_interval(secs => p_refresh_after_seconds)
                   or s.refreshed_at is null or s.refreshed_at < s.completed_at
                   or s.refresh_cursor is not null
                   or exists (
                     select from progressive_backfill.child_follow_ups f where f.repository_id = r.id)) as stale_raw
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

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261203210001', 'resumable_refresh')
on conflict (version) do nothing;
