-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
create view progressive_backfill.backfill_repository_completion with (security_invoker = true) as
select
  r.id as repository_id,
  r.full_name,
  r.tracked,
  coalesce(s.status, 'idle') as status,
  r.stored_pr_count,
  r.pr_total_count,
  r.pr_total_count_at,
  case when r.pr_total_count > 0 then round(100.0 * r.stored_pr_count / r.pr_total_count, 2) end as completion_pct,
  s.completed_at,
  s.refreshed_at,
  s.watermark
from progressive_backfill.repositories r
left join progressive_backfill.backfill_state s on s.repository_id = r.id;
