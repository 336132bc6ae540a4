-- An operator's cancel: the backfill stops (and a completed one is no longer refreshed) until a run names it again,
-- which may give it a new scope (start_backfill).
create or replace function progressive_backfill.backfill_cancel(p_repository_id bigint, p_reason text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_reason text := left(coalesce(nullif(btrim(p_reason), ''), 'cancelled'), 2000);
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['idle', 'active', 'paused', 'completed'], 'cancel');
  perform progressive_backfill.close_open_chunks(p_repository_id, 'cancelled', v_reason);
  update progressive_backfill.backfill_state
  set status = 'cancelled', last_error = v_reason, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;
