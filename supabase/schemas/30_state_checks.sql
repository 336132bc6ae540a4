-- The opening every backfill-level transition shares: lock the repository's backfill_state row (first in the global
-- lock order) and check that the backfill is in a state the transition starts from.

-- Locks and returns a backfill's state; PB004 when the repository is unknown.
create or replace function progressive_backfill.lock_state(p_repository_id bigint)
returns progressive_backfill.backfill_state
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
begin
  select * into v_state from progressive_backfill.backfill_state where repository_id = p_repository_id for update;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  return v_state;
end
$$;

-- PB003 (invalid transition) unless the backfill's status is one of p_allowed; p_action names the transition.
create or replace function progressive_backfill.assert_status(
  p_state progressive_backfill.backfill_state,
  p_allowed text[],
  p_action text
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not p_state.status = any(p_allowed) then
    raise exception 'cannot % a % backfill', p_action, p_state.status using errcode = 'PB003';
  end if;
end
$$;
