-- One page, one transaction: the PRs, their children (`full` profile: p_children, see store_page_children), the
-- new cursor and every counter move together or not at all. The walk's last page completes the chunk and the
-- backfill only when no follow-up is queued; otherwise the commit that empties the queue does
-- (backfill_commit_follow_ups).
-- p_prs: the page's pull requests as rows (pr_row, 24_pr_row.sql; backfill_pr_rows makes them of JSON).
create or replace function progressive_backfill.backfill_commit_page(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_expected_cursor jsonb,
  p_next_cursor jsonb,
  p_prs progressive_backfill.pr_row[],
  p_points_spent int,
  p_skipped_nodes int,
  p_github_total_count int,
  p_done boolean,
  p_lease_seconds int,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_state progressive_backfill.backfill_state;
  v_inserted int;
  v_updated int;
  v_stored int;
  v_lease timestamptz;
  v_done boolean;
begin
  if p_points_spent is null or p_points_spent < 0 or p_skipped_nodes < 0 or p_github_total_count < 0 then
    raise exception 'points spent, skipped nodes and total count must be >= 0' using errcode = 'PB004';
  end if;
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;
  if p_done is null then
    raise exception 'done must be true or false' using errcode = 'PB004';
  end if;
  if p_prs is null then
    raise exception 'pull requests must be given (an empty array for none)' using errcode = 'PB004';
  end if;
  -- A JSON null cursor and an SQL NULL one mean the same thing ("not started"); transports differ in which they send.
  p_expected_cursor := nullif(p_expected_cursor, 'null'::jsonb);
  p_next_cursor := nullif(p_next_cursor, 'null'::jsonb);

  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  select * into v_state from progressive_backfill.backfill_state where repository_id = v_chunk.repository_id;

  -- A replayed RPC (the response was lost and the call retried) must report success without applying twice.
  if v_chunk.fencing_token = p_fencing_token and (
       (v_chunk.status = 'running'
         and v_state.cursor is not distinct from p_next_cursor
         and v_state.cursor is distinct from p_expected_cursor)
    or (v_chunk.status = 'completed' and p_done and v_chunk.end_cursor is not distinct from p_next_cursor)
  ) then
    return jsonb_build_object(
      'applied', false, 'inserted', 0, 'updated', 0,
      'storedPrCount', (select stored_pr_count from progressive_backfill.repositories where id = v_chunk.repository_id),
      'leaseExpiresAt', coalesce(v_chunk.lease_expires_at, now()));
  end if;

  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);
  if v_state.cursor is distinct from p_expected_cursor then
    raise exception 'cursor conflict: chunk % expected another cursor than the stored one', p_chunk_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_pr_rows(v_chunk.repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(v_chunk.repository_id, p_prs, p_children);
  v_done := p_done and not exists (
    select from progressive_backfill.child_follow_ups where repository_id = v_chunk.repository_id);

  v_lease := case when v_done then now() else now() + make_interval(secs => p_lease_seconds) end;

  update progressive_backfill.backfill_chunks
  set end_cursor = p_next_cursor,
      pages_committed = pages_committed + 1,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      skipped_nodes = skipped_nodes + coalesce(p_skipped_nodes, 0),
      heartbeat_at = now(),
      status = case when v_done then 'completed' else status end,
      finished_at = case when v_done then now() end,
      lease_owner = case when v_done then null else lease_owner end,
      lease_expires_at = case when v_done then null else v_lease end
  where id = p_chunk_id;

  update progressive_backfill.backfill_state
  set cursor = p_next_cursor,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      consecutive_errors = 0,
      status = case when v_done then 'completed' else status end,
      completed_at = case when v_done then now() else completed_at end,
      updated_at = now()
  where repository_id = v_chunk.repository_id;

  if p_github_total_count is not null then
    update progressive_backfill.repositories
    set pr_total_count = p_github_total_count, pr_total_count_at = now(), updated_at = now()
    where id = v_chunk.repository_id;
  end if;
  select stored_pr_count into v_stored from progressive_backfill.repositories where id = v_chunk.repository_id;

  if coalesce(p_run_id, v_chunk.run_id) is not null then
    perform progressive_backfill.touch_run(coalesce(p_run_id, v_chunk.run_id), v_inserted + v_updated, p_points_spent);
  end if;

  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated,
    'storedPrCount', v_stored, 'leaseExpiresAt', v_lease, 'completed', v_done);
end
$$;
