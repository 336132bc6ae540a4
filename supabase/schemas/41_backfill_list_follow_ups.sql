-- The oldest follow-ups of a repository, for the next follow-up request.
create or replace function progressive_backfill.backfill_list_follow_ups(p_repository_id bigint, p_limit int)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  if p_limit is null or p_limit < 1 or p_limit > 1000 then
    raise exception 'limit must be from 1 to 1000' using errcode = 'PB004';
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object(
      'kind', f.kind, 'node_id', f.node_id, 'pull_request_github_id', pr.github_id::text,
      'review_github_id', f.review_github_id::text, 'cursor', f.cursor) order by f.id)
    from (
      select * from progressive_backfill.child_follow_ups
      where repository_id = p_repository_id order by id limit p_limit
    ) f
    join progressive_backfill.pull_requests pr on pr.id = f.pull_request_id
  ), '[]'::jsonb);
end
$$;
