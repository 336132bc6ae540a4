-- Retry one chunk (issue 12 item 3): backfill_retry_chunk puts a failed or stalled chunk back to work, its counts
-- reset, and its backfill with it; backfill_retry shares the requeue (requeue_chunk); progress names the problem
-- chunk's id, which retry_chunk takes.

-- A failed or stalled chunk back in the queue, due now, its failure and requeue counts reset (its attempts stay, as
-- history). The operator's retries share this: backfill_retry (by repository) and backfill_retry_chunk (by chunk).
create or replace function progressive_backfill.requeue_chunk(p_chunk_id bigint) returns void
language sql security definer set search_path = ''
as $$
  update progressive_backfill.backfill_chunks
  set status = 'pending', run_at = now(), finished_at = null, failures = 0, requeues = 0, last_error = null,
      lease_owner = null, lease_expires_at = null
  where id = p_chunk_id
$$;

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
    perform progressive_backfill.requeue_chunk(v_chunk_id);
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

create or replace function progressive_backfill.backfill_progress() returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(
    jsonb_build_object(
      'repositoryId', p.repository_id,
      'fullName', p.full_name,
      'backfillStatus', p.status,
      'storedPrCount', p.stored_pr_count,
      'prTotalCount', p.pr_total_count,
      'progressPct', p.progress_pct,
      'prsPerHour', p.prs_per_hour,
      'etaSeconds', p.eta_seconds,
      'pausedUntil', p.paused_until,
      'pauseReason', p.pause_reason,
      'lastError', p.last_error,
      'scope', coalesce(
        (select s.scope from progressive_backfill.backfill_state s where s.repository_id = p.repository_id), '{}'::jsonb),
      -- why a failed or stalled backfill stopped: its last chunk that did
      'problemChunk', case when p.status in ('failed', 'stalled') then (
        select jsonb_build_object(
          'id', c.id, 'chunkNumber', c.chunk_number, 'status', c.status, 'requeues', c.requeues,
          'failures', c.failures)
        from progressive_backfill.backfill_chunks c
        where c.repository_id = p.repository_id and c.status in ('failed', 'stalled')
        order by c.chunk_number desc
        limit 1) end)
    order by p.priority desc, p.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_repository_progress p
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261203200002', 'retry_chunk')
on conflict (version) do nothing;
