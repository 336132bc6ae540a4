create or replace function progressive_backfill.repository_json(p_repository_id bigint) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', r.id,
    'githubId', r.github_id::text,
    'nodeId', r.node_id,
    'owner', r.owner,
    'name', r.name,
    'fullName', r.full_name,
    'prTotalCount', r.pr_total_count,
    'prTotalCountAt', r.pr_total_count_at,
    'storedPrCount', r.stored_pr_count,
    'tracked', r.tracked,
    'priority', r.priority,
    'backfillStatus', coalesce(s.status, 'idle'),
    'scope', coalesce(s.scope, '{}'::jsonb))
  from progressive_backfill.repositories r
  left join progressive_backfill.backfill_state s on s.repository_id = r.id
  where r.id = p_repository_id
$$;
