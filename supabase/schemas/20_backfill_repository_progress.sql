-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
-- Every tracked repository: backfill status, progress, recent speed (PRs per hour over the chunks active in the
-- last hour) and the time left at that speed.
create view progressive_backfill.backfill_repository_progress with (security_invoker = true) as
with recent as (
  select
    c.repository_id,
    sum(c.prs_written) as prs,
    min(c.started_at) as since
  from progressive_backfill.backfill_chunks c
  where coalesce(c.finished_at, c.heartbeat_at, c.started_at) > now() - interval '1 hour'
  group by c.repository_id
),
speed as (
  select
    repository_id,
    prs / (greatest(least(extract(epoch from now() - since), 3600), 60) / 3600.0) as prs_per_hour
  from recent
)
select
  r.id as repository_id,
  r.full_name,
  s.status,
  s.field_profile,
  r.priority,
  r.stored_pr_count,
  r.pr_total_count,
  case when r.pr_total_count > 0 then round(100.0 * r.stored_pr_count / r.pr_total_count, 2) end as progress_pct,
  round(sp.prs_per_hour, 1) as prs_per_hour,
  case
    when sp.prs_per_hour > 0 and r.pr_total_count is not null then
      round(greatest(r.pr_total_count - r.stored_pr_count, 0) / sp.prs_per_hour * 3600)::bigint
  end as eta_seconds,
  s.resume_at as paused_until,
  s.pause_reason,
  s.last_error,
  s.consecutive_errors,
  s.started_at,
  s.updated_at
from progressive_backfill.repositories r
join progressive_backfill.backfill_state s on s.repository_id = r.id
left join speed sp on sp.repository_id = r.id
where r.tracked;
