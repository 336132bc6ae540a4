-- Ends a chunk that spent its page allowance; the walk continues in a new chunk from the same cursor.
create or replace function progressive_backfill.backfill_complete_chunk(p_chunk_id bigint, p_fencing_token bigint) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_next bigint;
begin
  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  if v_chunk.status = 'completed' and v_chunk.fencing_token = p_fencing_token then
    raise exception 'chunk % is already completed', p_chunk_id using errcode = 'PB003';
  end if;
  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);

  update progressive_backfill.backfill_chunks
  set status = 'completed', finished_at = now(), lease_owner = null, lease_expires_at = null, heartbeat_at = now()
  where id = p_chunk_id;

  if exists (select 1 from progressive_backfill.backfill_state where repository_id = v_chunk.repository_id and status = 'active') then
    v_next := progressive_backfill.open_next_chunk(v_chunk.repository_id);
  end if;
  return jsonb_build_object('nextChunkId', v_next);
end
$$;
