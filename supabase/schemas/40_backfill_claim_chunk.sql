-- Claims the next chunk to work on: a pending one whose time has come, or a running one whose holder is gone (its
-- lease named a session key nobody holds any more; see lease_holder_alive). Taking a lease over issues a new fencing
-- token, so the dead holder's late writes, if any arrive, fail with PB001. A holder that is alive, however slow, and
-- a holder that named no session lose their lease only when it expires (backfill_recover_stuck_chunks).
-- p_holder_key: the key the caller's own session holds, or null when it has none.
create or replace function progressive_backfill.backfill_claim_chunk(
  p_worker_id text,
  p_lease_seconds int,
  p_repository_id bigint default null,
  p_run_id bigint default null,
  p_holder_key bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk_id bigint;
  v_state_status text;
  v_taken_over_from text;
  v_chunk progressive_backfill.backfill_chunks;
  v_state progressive_backfill.backfill_state;
begin
  if p_worker_id is null or btrim(p_worker_id) = '' then
    raise exception 'worker id must not be empty' using errcode = 'PB004';
  end if;
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;

  select c.id, s.status, case when c.status = 'running' then c.lease_owner end
  into v_chunk_id, v_state_status, v_taken_over_from
  from progressive_backfill.backfill_chunks c
  join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
  join progressive_backfill.repositories r on r.id = c.repository_id
  where ((c.status = 'pending' and c.run_at <= now())
         or (c.status = 'running' and progressive_backfill.lease_holder_alive(c.lease_holder_key) = false))
    and (p_repository_id is null or c.repository_id = p_repository_id)
    and r.tracked
    and (s.status = 'active' or (s.status = 'paused' and s.resume_at <= now()))
  order by r.priority desc, c.run_at, c.id
  limit 1
  for update of c, s skip locked;
  if not found then
    return null;
  end if;

  update progressive_backfill.backfill_chunks
  set status = 'running',
      lease_owner = p_worker_id,
      lease_holder_key = p_holder_key,
      lease_expires_at = now() + make_interval(secs => p_lease_seconds),
      fencing_token = nextval('progressive_backfill.backfill_fencing_token_seq'),
      attempts = attempts + 1,
      started_at = coalesce(started_at, now()),
      heartbeat_at = now(),
      run_id = p_run_id
  where id = v_chunk_id
  returning * into v_chunk;

  update progressive_backfill.backfill_state
  set status = 'active', resume_at = null, pause_reason = null,
      updated_at = case when v_state_status = 'paused' then now() else updated_at end
  where repository_id = v_chunk.repository_id
  returning * into v_state;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, 0, 0);
  end if;

  return (
    select jsonb_build_object(
      'chunkId', v_chunk.id,
      'repositoryId', v_chunk.repository_id,
      'owner', r.owner,
      'name', r.name,
      'chunkNumber', v_chunk.chunk_number,
      'fencingToken', v_chunk.fencing_token::text,
      'leaseExpiresAt', v_chunk.lease_expires_at,
      'cursor', v_state.cursor,
      'attempts', v_chunk.attempts,
      'fieldProfile', v_state.field_profile,
      'takenOverFrom', v_taken_over_from)
    from progressive_backfill.repositories r where r.id = v_chunk.repository_id);
end
$$;
