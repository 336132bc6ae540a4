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
