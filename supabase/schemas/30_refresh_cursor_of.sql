-- The position of a backfill's refresh in progress, or null when none is: a position taken before the walk last
-- completed belongs to an earlier walk (the walk began again since) and counts as none.
create or replace function progressive_backfill.refresh_cursor_of(p_state progressive_backfill.backfill_state)
returns text
language sql immutable security definer set search_path = ''
as $$
  select case when p_state.refresh_started_at >= p_state.completed_at then p_state.refresh_cursor end
$$;
