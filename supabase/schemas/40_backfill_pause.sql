-- A worker pausing the backfill it works on names its lease (p_chunk_id, p_fencing_token): stale, it is refused
-- (PB001). An operator names none.
create or replace function progressive_backfill.backfill_pause(
  p_repository_id bigint,
  p_reason text,
  p_resume_at timestamptz,
  p_chunk_id bigint default null,
  p_fencing_token bigint default null
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_reason is null or btrim(p_reason) = '' then
    raise exception 'a pause needs a reason' using errcode = 'PB004';
  end if;
  if p_resume_at is null or p_resume_at <= now() then
    raise exception 'resume time must be in the future' using errcode = 'PB004';
  end if;
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['active', 'paused'], 'pause');
  perform progressive_backfill.assert_lease_of(p_repository_id, p_chunk_id, p_fencing_token);

  -- The worker holding the lease finds out on its next call (PB001) and stops.
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now()
  where repository_id = p_repository_id and status = 'running';
  update progressive_backfill.backfill_state
  set status = 'paused', pause_reason = left(p_reason, 2000), resume_at = p_resume_at, updated_at = now()
  where repository_id = p_repository_id;
end
$$;
