-- Where a backfill's incremental refresh stands, for the run about to refresh it: the watermark it walks down to,
-- and the refresh in progress (cursor, target watermark, start, holder), all null when none is. Read-only.
create or replace function progressive_backfill.backfill_refresh_position(p_repository_id bigint) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
begin
  select * into v_state from progressive_backfill.backfill_state where repository_id = p_repository_id;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);
  return jsonb_build_object(
    'watermark', v_state.watermark,
    'cursor', v_cursor,
    'targetWatermark', case when v_cursor is not null then v_state.refresh_target_watermark end,
    'startedAt', case when v_cursor is not null then v_state.refresh_started_at end,
    'holder', case when v_cursor is not null then v_state.refresh_holder end);
end
$$;
