create or replace function progressive_backfill.backfill_release_chunk(p_chunk_id bigint, p_fencing_token bigint)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now(), heartbeat_at = now()
  where id = p_chunk_id;
end
$$;
