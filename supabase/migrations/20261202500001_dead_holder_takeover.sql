-- A dead holder does not block (issue 12): a lease names its holder's session by an advisory-lock key, and a claim
-- takes over a running chunk whose key nobody holds any more.
alter table progressive_backfill.backfill_chunks add column if not exists lease_holder_key bigint;

-- ===== 30_lease_holder_alive.sql =====
-- Whether a lease's holder still exists. A worker on a direct connection locks a random 64-bit key with a
-- session-level advisory lock on one dedicated connection for its whole life, and names that key when it claims.
-- Postgres drops the lock when that session ends, however it ends (exit, SIGKILL, a lost network), so a key that
-- nobody holds means the holder is gone. pg_locks shows every session's locks to every role.
-- Null for a null key: a holder that named no session (a worker behind PostgREST) cannot be judged.
create or replace function progressive_backfill.lease_holder_alive(p_key bigint) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case when p_key is not null then exists (
    select 1
    from pg_catalog.pg_locks l
    where l.locktype = 'advisory'
      and l.granted
      and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
      -- a bigint key is shown split in two: its high 32 bits in classid, its low 32 bits in objid, objsubid 1
      and l.classid = ((p_key >> 32) & 4294967295)::oid
      and l.objid = (p_key & 4294967295)::oid
      and l.objsubid = 1)
  end
$$;

-- ===== 40_backfill_claim_chunk.sql =====
-- The claim gains p_holder_key: the old signature goes, or both would exist side by side.
drop function if exists progressive_backfill.backfill_claim_chunk(text, int, bigint, bigint);
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

-- ===== 40_backfill_leases.sql =====
-- The running leases (of the given repositories, or all): who holds each, until when, and whether its holder is
-- known alive (true), known gone (false: the next claim takes it over) or cannot be judged (null: it expires).
-- A run reports the repositories it could not work on because of them. Read-only.
create or replace function progressive_backfill.backfill_leases(p_repository_ids bigint[] default null)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(
    jsonb_build_object(
      'repositoryId', c.repository_id,
      'fullName', r.full_name,
      'chunkId', c.id,
      'chunkNumber', c.chunk_number,
      'leaseOwner', c.lease_owner,
      'leaseExpiresAt', c.lease_expires_at,
      'secondsLeft', greatest(extract(epoch from c.lease_expires_at - now()), 0)::float8,
      'holderAlive', progressive_backfill.lease_holder_alive(c.lease_holder_key))
    order by c.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_chunks c
  join progressive_backfill.repositories r on r.id = c.repository_id
  where c.status = 'running' and (p_repository_ids is null or c.repository_id = any(p_repository_ids))
$$;

-- ===== 40_backfill_select_repositories.sql =====
-- Which repositories to work on next. Read-only.
-- A candidate is a tracked repository (only the named ones when p_repository_ids is given) that is
--   (a) in progress: active with no live lease on its chunk (a lease whose holder is gone is not live), or paused
--       with resume_at already passed;
--   (b) idle or completed, with at least p_min_prs pull requests on GitHub (named repositories skip that test) and
--       stored/total below p_threshold (an idle repository whose total is unknown counts as below, and a named
--       empty one starts too, so that it is recorded as completed rather than left idle)
--       -> needsStart: call backfill_start_backfill first;
--   (c) completed and last refreshed (or completed) more than p_refresh_after_seconds ago -> needsRefresh
--       (only when it does not need a restart, which covers a refresh).
-- Failed, cancelled and stalled backfills wait for a human; paused-into-the-future ones wait for their time.
-- Order: priority desc, then in-progress before new, then lowest completeness first (unknown first), then the most
-- pull requests left (total - stored) first, then id.
create or replace function progressive_backfill.backfill_select_repositories(
  p_threshold numeric default 0.8,
  p_min_prs int default 100,
  p_limit int default 50,
  p_repository_ids bigint[] default null,
  p_refresh_after_seconds int default 3600
) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_threshold is null or p_threshold < 0 or p_threshold > 1 then
    raise exception 'threshold must be between 0 and 1' using errcode = 'PB004';
  end if;
  if p_min_prs is null or p_min_prs < 0 then
    raise exception 'min-prs must be >= 0' using errcode = 'PB004';
  end if;
  if p_limit is null or p_limit < 1 then
    raise exception 'limit must be >= 1' using errcode = 'PB004';
  end if;
  if p_refresh_after_seconds < 0 then
    raise exception 'refresh interval must be >= 0' using errcode = 'PB004';
  end if;

  return coalesce((
    select jsonb_agg(
      jsonb_build_object(
        'repositoryId', c.id,
        'owner', c.owner,
        'name', c.name,
        'fullName', c.full_name,
        'priority', c.priority,
        'storedPrCount', c.stored_pr_count,
        'prTotalCount', c.pr_total_count,
        'completeness', c.completeness,
        'backfillStatus', c.status,
        'needsStart', c.needs_start,
        'needsRefresh', c.needs_refresh,
        'watermark', c.watermark)
      order by c.ord)
    from (
      select f.*, row_number() over (
        order by f.priority desc, f.in_progress desc, f.completeness asc nulls first,
                 (f.pr_total_count - f.stored_pr_count) desc nulls last, f.id) as ord
      from (
        select
          b.*,
          coalesce(b.in_progress_raw, false) as in_progress,
          coalesce(b.needs_start_raw, false) as needs_start,
          coalesce(b.stale_raw and not coalesce(b.needs_start_raw, false), false) as needs_refresh
        from (
          select
            r.id, r.owner, r.name, r.full_name, r.priority, r.stored_pr_count, r.pr_total_count,
            s.status, s.watermark,
            case when r.pr_total_count > 0 then r.stored_pr_count::float8 / r.pr_total_count end as completeness,
            (s.status = 'active'
               and not exists (
                 select 1 from progressive_backfill.backfill_chunks ch
                 where ch.repository_id = r.id and ch.status = 'running' and ch.lease_expires_at > now()
                   and progressive_backfill.lease_holder_alive(ch.lease_holder_key) is not false))
              or (s.status = 'paused' and s.resume_at <= now()) as in_progress_raw,
            s.status in ('idle', 'completed')
              and (r.id = any(p_repository_ids) or r.pr_total_count >= p_min_prs)
              and (r.stored_pr_count::numeric / nullif(r.pr_total_count, 0) < p_threshold
                   or (s.status = 'idle' and r.pr_total_count is null)
                   or (s.status = 'idle' and r.pr_total_count = 0 and r.id = any(p_repository_ids))) as needs_start_raw,
            s.status = 'completed'
              and greatest(s.refreshed_at, s.completed_at)
                  < now() - make_interval(secs => p_refresh_after_seconds) as stale_raw
          from progressive_backfill.repositories r
          join progressive_backfill.backfill_state s on s.repository_id = r.id
          where r.tracked and (p_repository_ids is null or r.id = any(p_repository_ids))
        ) b
      ) f
      where f.in_progress or f.needs_start or f.needs_refresh
      order by ord
      limit p_limit
    ) c
  ), '[]'::jsonb);
end
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202500001', 'dead_holder_takeover')
on conflict (version) do nothing;
