-- The walk of a backfill is over and nothing remains to follow up: its chunk and the backfill complete.
create or replace function progressive_backfill.complete_walk(p_chunk_id bigint) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
begin
  update progressive_backfill.backfill_chunks
  set status = 'completed', finished_at = now(), lease_owner = null, lease_expires_at = null
  where id = p_chunk_id
  returning repository_id into v_repository_id;
  update progressive_backfill.backfill_state
  set status = 'completed', completed_at = now(), updated_at = now()
  where repository_id = v_repository_id;
end
$$;
