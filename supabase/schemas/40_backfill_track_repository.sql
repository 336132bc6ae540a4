-- A lookup on GitHub (the CLI's `track`, the engine's selection) sees the repository as it is now: the newest view of
-- its name there is. The rules (names GitHub accepts, renames by GitHub id) are observe_repository's.
create or replace function progressive_backfill.backfill_track_repository(
  p_owner text,
  p_name text,
  p_github_id bigint default null,
  p_node_id text default null,
  p_pr_total_count int default null,
  p_priority int default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  select o.repository_id into v_id
  from progressive_backfill.observe_repository(
    p_owner, p_name, p_github_id, p_node_id, p_pr_total_count, p_priority, now()) o;
  return progressive_backfill.repository_json(v_id);
end
$$;
