-- A failed or stalled chunk back in the queue, due now, its failure and requeue counts reset (its attempts stay, as
-- history). The operator's retries share this: backfill_retry (by repository) and backfill_retry_chunk (by chunk).
create or replace function progressive_backfill.requeue_chunk(p_chunk_id bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_chunks
  set status = 'pending', run_at = now(), finished_at = null, failures = 0, requeues = 0, last_error = null,
      lease_owner = null, lease_expires_at = null
  where id = p_chunk_id
$$;
