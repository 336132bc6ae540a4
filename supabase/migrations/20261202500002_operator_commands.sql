-- Operator commands (issue 12): retry and untrack, each one function; a claim never takes an untracked repository.

-- ===== 40_backfill_claim_chunk.sql =====
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

-- ===== 40_backfill_retry.sql =====
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
    update progressive_backfill.backfill_chunks
    set status = 'pending', run_at = now(), finished_at = null, failures = 0, requeues = 0, last_error = null,
        lease_owner = null, lease_expires_at = null
    where id = v_chunk_id;
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

-- ===== 40_backfill_untrack.sql =====
-- An operator's untrack: the repository leaves the tracked set, so no run selects or claims it, and a chunk being
-- worked on goes back to pending (its worker is refused with PB001 on its next call). Its stored pull requests and
-- its backfill's state stay: tracking it again (`track`) carries on from the cursor.
create or replace function progressive_backfill.backfill_untrack(p_repository_id bigint) returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.lock_state(p_repository_id);
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now()
  where repository_id = p_repository_id and status = 'running';
  update progressive_backfill.repositories set tracked = false where id = p_repository_id;
  return progressive_backfill.repository_json(p_repository_id);
end
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202500002', 'operator_commands')
on conflict (version) do nothing;
