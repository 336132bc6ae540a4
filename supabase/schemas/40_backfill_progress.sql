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
      'lastError', p.last_error)
    order by p.priority desc, p.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_repository_progress p
$$;
