create or replace function progressive_backfill.backfill_resume(p_repository_id bigint) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['paused'], 'resume');
  update progressive_backfill.backfill_state
  set status = 'active', pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;
