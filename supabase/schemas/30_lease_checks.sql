-- The opening every chunk transition shares: lock the chunk (in the global lock order) and check that the caller
-- still holds its lease. PB001 (stale lease) tells a worker that another one owns the chunk now, or nobody does.

-- Locks a chunk's backfill_state row, then the chunk row (the global lock order), and returns the chunk.
create or replace function progressive_backfill.lock_chunk(p_chunk_id bigint)
returns progressive_backfill.backfill_chunks
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
begin
  perform 1 from progressive_backfill.backfill_state s
  where s.repository_id = (
    select c.repository_id from progressive_backfill.backfill_chunks c where c.id = p_chunk_id)
  for update;
  select * into v_chunk from progressive_backfill.backfill_chunks where id = p_chunk_id for update;
  if not found then
    raise exception 'unknown chunk %', p_chunk_id using errcode = 'PB004';
  end if;
  return v_chunk;
end
$$;

create or replace function progressive_backfill.assert_lease(
  p_chunk progressive_backfill.backfill_chunks,
  p_fencing_token bigint
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_chunk.status <> 'running' or p_chunk.fencing_token is distinct from p_fencing_token then
    raise exception 'stale lease: chunk % is not running with fencing token %', p_chunk.id, p_fencing_token
      using errcode = 'PB001';
  end if;
end
$$;

-- lock_chunk, then assert_lease: for transitions with nothing to check in between.
create or replace function progressive_backfill.lock_lease(p_chunk_id bigint, p_fencing_token bigint)
returns progressive_backfill.backfill_chunks
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks := progressive_backfill.lock_chunk(p_chunk_id);
begin
  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);
  return v_chunk;
end
$$;

-- A worker acting on a whole backfill (pause, fail) proves that no other worker holds it now: the chunk it names is
-- the repository's, still carries the caller's token (nobody claimed it since), and no other chunk of the repository
-- is running; otherwise PB001, as for a commit. The lease need not be live any more: a worker pauses right after
-- failing its own chunk. An operator's call names no lease and is not checked. Call it after lock_state.
create or replace function progressive_backfill.assert_lease_of(
  p_repository_id bigint,
  p_chunk_id bigint,
  p_fencing_token bigint
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
begin
  if p_chunk_id is null and p_fencing_token is null then
    return;
  end if;
  if p_chunk_id is null or p_fencing_token is null then
    raise exception 'a lease is a chunk id and a fencing token: give both or neither' using errcode = 'PB004';
  end if;
  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  if v_chunk.repository_id <> p_repository_id then
    raise exception 'chunk % belongs to another repository than %', p_chunk_id, p_repository_id
      using errcode = 'PB004';
  end if;
  if v_chunk.fencing_token is distinct from p_fencing_token
     or exists (
       select from progressive_backfill.backfill_chunks c
       where c.repository_id = p_repository_id and c.status = 'running' and c.id <> p_chunk_id) then
    raise exception 'stale lease: another worker holds the backfill of repository % now', p_repository_id
      using errcode = 'PB001';
  end if;
end
$$;
