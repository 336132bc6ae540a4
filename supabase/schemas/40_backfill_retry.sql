-- An operator's retry: a failed, stalled or cancelled backfill goes back to work from its cursor. The chunk that
-- ended it returns to the queue with its failure and requeue counts reset (its attempts stay, as history); when the
-- last chunk ended well (the backfill failed between chunks, or was cancelled before one), a new chunk opens.
create or replace function progressive_backfill.backfill_retry(p_repository_id bigint) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk_id bigint;
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['failed', 'stalled', 'cancelled'], 'retry');

  select c.id into v_chunk_id
  from progressive_backfill.backfill_chunks c
  where c.repository_id = p_repository_id and c.status in ('failed', 'stalled', 'cancelled')
    and c.chunk_number = (
      select max(l.chunk_number) from progressive_backfill.backfill_chunks l where l.repository_id = p_repository_id)
  for update;
  if found then
    perform progressive_backfill.requeue_chunk(v_chunk_id);
  else
    perform progressive_backfill.open_next_chunk(p_repository_id);
  end if;

  update progressive_backfill.backfill_state
  set status = 'active', consecutive_errors = 0, last_error = null, pause_reason = null, resume_at = null,
      updated_at = now()
  where repository_id = p_repository_id;
  return progressive_backfill.repository_json(p_repository_id);
end
$$;
