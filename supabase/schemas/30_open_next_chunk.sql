create or replace function progressive_backfill.open_next_chunk(p_repository_id bigint) returns bigint
language sql security definer set search_path = ''
as $$
  insert into progressive_backfill.backfill_chunks (repository_id, chunk_number, start_cursor, run_at)
  select s.repository_id,
         (select coalesce(max(c.chunk_number), 0) + 1 from progressive_backfill.backfill_chunks c where c.repository_id = s.repository_id),
         s.cursor,
         now()
  from progressive_backfill.backfill_state s
  where s.repository_id = p_repository_id
  returning id
$$;
