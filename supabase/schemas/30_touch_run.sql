create or replace function progressive_backfill.touch_run(p_run_id bigint, p_prs bigint, p_points bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_runs
  set prs_written = prs_written + p_prs, points_spent = points_spent + p_points, heartbeat_at = now()
  where id = p_run_id
$$;
