-- Deletes a repository's stored pull requests that a scope does not take in (pr_in_scope, the rule the walk, the
-- refresh and the webhooks share), with their reviews, comments and follow-ups; stored_pr_count follows. Returns how
-- many went. For a backfill that takes a new scope, so no pull request of the old one is left to count.
create or replace function progressive_backfill.delete_outside_scope(p_repository_id bigint, p_scope jsonb) returns int
language plpgsql security definer set search_path = ''
as $$
declare
  v_removed int := 0;
begin
  if coalesce(p_scope, '{}'::jsonb) = '{}'::jsonb then
    return 0;
  end if;
  with gone as (
    delete from progressive_backfill.pull_requests pr
    where pr.repository_id = p_repository_id
      and not progressive_backfill.pr_in_scope(
        p_scope, jsonb_build_object('state', pr.state, 'base_ref', pr.base_ref, 'created_at', pr.created_at))
    returning pr.id
  )
  select count(*) into v_removed from gone;
  if v_removed > 0 then
    update progressive_backfill.repositories
    set stored_pr_count = greatest(0, stored_pr_count - v_removed), updated_at = now()
    where id = p_repository_id;
  end if;
  return v_removed;
end
$$;
