create or replace function progressive_backfill.backfill_heartbeat(p_chunk_id bigint, p_fencing_token bigint, p_lease_seconds int)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_expires timestamptz;
  v_run_id bigint;
begin
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;
  update progressive_backfill.backfill_chunks
  set lease_expires_at = now() + make_interval(secs => p_lease_seconds), heartbeat_at = now()
  where id = p_chunk_id and status = 'running' and fencing_token = p_fencing_token
  returning lease_expires_at, run_id into v_expires, v_run_id;
  if not found then
    raise exception 'stale lease: chunk % is not running with fencing token %', p_chunk_id, p_fencing_token
      using errcode = 'PB001';
  end if;
  if v_run_id is not null then
    perform progressive_backfill.touch_run(v_run_id, 0, 0);
  end if;
  return jsonb_build_object('leaseExpiresAt', v_expires);
end
$$;
