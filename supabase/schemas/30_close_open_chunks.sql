-- Ends a backfill's open chunks with the given status and reason (cancel and fail share this).
create or replace function progressive_backfill.close_open_chunks(p_repository_id bigint, p_status text, p_reason text)
returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_chunks
  set status = p_status, finished_at = now(), lease_owner = null, lease_expires_at = null,
      last_error = left(p_reason, 2000)
  where repository_id = p_repository_id and status in ('pending', 'running')
$$;
