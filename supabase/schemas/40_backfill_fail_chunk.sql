create or replace function progressive_backfill.backfill_fail_chunk(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_error text,
  p_retryable boolean,
  p_max_failures int default 5
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_error text := left(coalesce(p_error, 'unknown error'), 2000);
  v_retry_at timestamptz;
  v_errors int;
begin
  if p_max_failures is null or p_max_failures < 1 then
    raise exception 'max failures must be >= 1' using errcode = 'PB004';
  end if;
  v_chunk := progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);

  if coalesce(p_retryable, false) and v_chunk.failures + 1 < p_max_failures then
    -- exponential backoff with +-25 % jitter so that failing chunks do not retry in lockstep
    v_retry_at := now() + make_interval(
      secs => least(power(2, v_chunk.failures + 1), 3600) * (0.75 + random() * 0.5));
    update progressive_backfill.backfill_chunks
    set status = 'pending', failures = failures + 1, last_error = v_error, lease_owner = null,
        lease_expires_at = null, run_at = v_retry_at, heartbeat_at = now()
    where id = p_chunk_id
    returning * into v_chunk;
    update progressive_backfill.backfill_state
    set consecutive_errors = consecutive_errors + 1, last_error = v_error, updated_at = now()
    where repository_id = v_chunk.repository_id
    returning consecutive_errors into v_errors;
  else
    update progressive_backfill.backfill_chunks
    set status = 'failed', failures = failures + 1, last_error = v_error, lease_owner = null,
        lease_expires_at = null, finished_at = now(), heartbeat_at = now()
    where id = p_chunk_id
    returning * into v_chunk;
    update progressive_backfill.backfill_state
    set status = 'failed', consecutive_errors = consecutive_errors + 1, last_error = v_error,
        pause_reason = null, resume_at = null, updated_at = now()
    where repository_id = v_chunk.repository_id
    returning consecutive_errors into v_errors;
  end if;

  return jsonb_build_object('chunkStatus', v_chunk.status, 'retryAt', v_retry_at, 'consecutiveErrors', v_errors);
end
$$;
