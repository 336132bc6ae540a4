create or replace function progressive_backfill.backfill_fail_backfill(p_repository_id bigint, p_error text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_error text := left(coalesce(nullif(btrim(p_error), ''), 'failed'), 2000);
begin
  perform progressive_backfill.lock_state(p_repository_id);
  perform progressive_backfill.close_open_chunks(p_repository_id, 'failed', v_error);
  update progressive_backfill.backfill_state
  set status = 'failed', last_error = v_error, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;
