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
