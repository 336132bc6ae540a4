-- A worker failing the backfill it works on names its lease (p_chunk_id, p_fencing_token): stale, it is refused
-- (PB001). An operator names none.
create or replace function progressive_backfill.backfill_fail_backfill(
  p_repository_id bigint,
  p_error text,
  p_chunk_id bigint default null,
  p_fencing_token bigint default null
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_error text := left(coalesce(nullif(btrim(p_error), ''), 'failed'), 2000);
begin
  perform progressive_backfill.lock_state(p_repository_id);
  perform progressive_backfill.assert_lease_of(p_repository_id, p_chunk_id, p_fencing_token);
  perform progressive_backfill.close_open_chunks(p_repository_id, 'failed', v_error);
  update progressive_backfill.backfill_state
  set status = 'failed', last_error = v_error, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;
