create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_prs jsonb,
  p_points_spent int,
  p_new_watermark timestamptz,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int;
  v_updated int;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  perform progressive_backfill.lock_state(p_repository_id);

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      watermark = case when p_new_watermark is null then watermark else greatest(watermark, p_new_watermark) end,
      refreshed_at = now(),
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object('inserted', v_inserted, 'updated', v_updated);
end
$$;
