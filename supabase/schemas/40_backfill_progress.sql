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
          'id', c.id, 'chunkNumber', c.chunk_number, 'status', c.status, 'requeues', c.requeues,
          'failures', c.failures)
        from progressive_backfill.backfill_chunks c
        where c.repository_id = p.repository_id and c.status in ('failed', 'stalled')
        order by c.chunk_number desc
        limit 1) end)
    order by p.priority desc, p.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_repository_progress p
$$;
