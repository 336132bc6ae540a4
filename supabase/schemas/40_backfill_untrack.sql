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
