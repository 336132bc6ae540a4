-- An operator's retry of one chunk (by the id `status` and backfill_problem_chunks show): a failed or stalled chunk
-- goes back to the queue with its failure and requeue counts reset, and its backfill back to work. Only the chunk
-- that stopped its backfill can: it is the backfill's last (a backfill walks one chunk at a time, from the cursor it
-- keeps), so an older one that failed before the walk went on is history, and retrying it is refused.
create or replace function progressive_backfill.backfill_retry_chunk(p_chunk_id bigint) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
  v_state progressive_backfill.backfill_state;
  v_chunk progressive_backfill.backfill_chunks;
  v_last int;
  v_full_name text;
begin
  select c.repository_id into v_repository_id from progressive_backfill.backfill_chunks c where c.id = p_chunk_id;
  if not found then
    raise exception 'unknown chunk %', p_chunk_id using errcode = 'PB004';
  end if;
  -- the global lock order: the backfill's state first, then its chunk
  v_state := progressive_backfill.lock_state(v_repository_id);
  select * into v_chunk from progressive_backfill.backfill_chunks where id = p_chunk_id for update;
  select r.full_name into v_full_name from progressive_backfill.repositories r where r.id = v_repository_id;

  if v_chunk.status not in ('failed', 'stalled') then
    raise exception 'chunk % of % is %: only a failed or stalled chunk can be retried',
      p_chunk_id, v_full_name, v_chunk.status using errcode = 'PB003';
  end if;
  select max(c.chunk_number) into v_last from progressive_backfill.backfill_chunks c
  where c.repository_id = v_repository_id;
  if v_chunk.chunk_number <> v_last then
    raise exception 'chunk % of % is history: the backfill went on past it (chunk % is its last); retry the backfill instead (`progressive-backfill retry %`)',
      p_chunk_id, v_full_name, v_last, v_full_name using errcode = 'PB003';
  end if;
  -- a failed or stalled last chunk is what failed or stalled its backfill
  perform progressive_backfill.assert_status(v_state, array['failed', 'stalled'], 'retry a chunk of');

  perform progressive_backfill.requeue_chunk(p_chunk_id);
  update progressive_backfill.backfill_state
  set status = 'active', consecutive_errors = 0, last_error = null, pause_reason = null, resume_at = null,
      updated_at = now()
  where repository_id = v_repository_id;
  return progressive_backfill.repository_json(v_repository_id);
end
$$;
