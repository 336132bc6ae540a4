-- One page of the incremental refresh, one transaction: the pull requests updated since the watermark, their
-- children, the stored pull requests that left the backfill's scope (deleted with their children), and the
-- refresh's position, compare-and-set like commit_page's cursor.
--
-- The refresh walks pullRequests(orderBy: UPDATED_AT DESC) from the newest down to the watermark. Its position is
-- stored with each page, so a run (or a 60-second tick) that stops before the watermark leaves the next run a place
-- to resume, not the top. Resuming is exact: GitHub's cursor of that ordering is a (updatedAt, id) position, so the
-- pull requests below it that did not change are still below it; one that changed after the refresh began moved to
-- the top with an updatedAt later than p_target_watermark (the newest updatedAt when the refresh began), and the
-- next refresh, which walks down to that target, lists it.
--
-- p_expected_cursor: the position the page was fetched from (null: the first page of a new refresh, allowed only
-- when none is in progress). p_next_cursor: where the refresh goes on (null: the page reached the watermark; the
-- watermark becomes the refresh's target and the position is cleared). A position older than the walk's completion
-- belongs to an earlier walk and counts as none. Another position than the expected one means another worker moved
-- (or finished) this refresh: PB002, and the caller stops. A replay of this holder's last page (its response was
-- lost) answers applied = false and writes nothing. There is no lease: nothing waits for a refresh that stopped,
-- and any run may resume it.
--
-- p_prs: the page's pull requests as rows (pr_row, 24_pr_row.sql), as for backfill_commit_page.
-- p_removed: [{github_id, updated_at}] of listed pull requests outside the backfill's scope; a stored one whose
-- version is not newer is deleted (reviews, comments and follow-ups go with it).
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_expected_cursor text,
  p_next_cursor text,
  p_target_watermark timestamptz,
  p_holder text,
  p_prs progressive_backfill.pr_row[],
  p_points_spent int,
  p_removed jsonb default null,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
  v_inserted int;
  v_updated int;
  v_removed int := 0;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_holder is null or p_holder = '' then
    raise exception 'holder must be given' using errcode = 'PB004';
  end if;
  if p_expected_cursor is null and p_target_watermark is null then
    raise exception 'the first page of a refresh must give its target watermark' using errcode = 'PB004';
  end if;
  if p_removed is not null and jsonb_typeof(p_removed) <> 'array' then
    raise exception 'removed must be a JSON array' using errcode = 'PB004';
  end if;
  if p_prs is null then
    raise exception 'pull requests must be given (an empty array for none)' using errcode = 'PB004';
  end if;
  v_state := progressive_backfill.lock_state(p_repository_id);
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);

  if p_next_cursor is not null and v_cursor = p_next_cursor and v_cursor is distinct from p_expected_cursor
     and v_state.refresh_holder = p_holder then
    return jsonb_build_object('applied', false, 'inserted', 0, 'updated', 0, 'removed', 0);
  end if;
  if v_cursor is distinct from p_expected_cursor then
    raise exception 'refresh conflict: repository % is being refreshed from another position', p_repository_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_pr_rows(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  v_removed := progressive_backfill.delete_left_scope(p_repository_id, p_removed);

  if p_next_cursor is null then
    update progressive_backfill.backfill_state
    set watermark = greatest(watermark,
          case when v_cursor is null then p_target_watermark else refresh_target_watermark end),
        refreshed_at = now(),
        refresh_cursor = null, refresh_target_watermark = null, refresh_started_at = null, refresh_holder = null
    where repository_id = p_repository_id;
  else
    update progressive_backfill.backfill_state
    set refresh_cursor = p_next_cursor,
        refresh_target_watermark = case when v_cursor is null then p_target_watermark else refresh_target_watermark end,
        refresh_started_at = case when v_cursor is null then now() else refresh_started_at end,
        refresh_holder = p_holder
    where repository_id = p_repository_id;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated, 'removed', v_removed);
end
$$;
