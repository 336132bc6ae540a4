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
  if p_owner is null or p_owner !~ '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$' then
    raise exception 'invalid repository owner %', coalesce(quote_literal(p_owner), 'null') using errcode = 'PB004';
  end if;
  if p_name is null or p_name !~ '^[A-Za-z0-9._-]{1,100}$' or p_name in ('.', '..') then
    raise exception 'invalid repository name %', coalesce(quote_literal(p_name), 'null') using errcode = 'PB004';
  end if;
  if p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;

  -- A known GitHub id under another name is the same repository, renamed.
  if p_github_id is not null then
    update progressive_backfill.repositories
    set owner = p_owner,
        name = p_name,
        node_id = coalesce(p_node_id, node_id),
        pr_total_count = coalesce(p_pr_total_count, pr_total_count),
        pr_total_count_at = case when p_pr_total_count is not null then now() else pr_total_count_at end,
        priority = coalesce(p_priority, priority),
        tracked = true,
        updated_at = now()
    where github_id = p_github_id
    returning id into v_id;
  end if;

  if v_id is null then
    insert into progressive_backfill.repositories as r (owner, name, github_id, node_id, pr_total_count, pr_total_count_at, priority)
    values (p_owner, p_name, p_github_id, p_node_id, p_pr_total_count,
            case when p_pr_total_count is not null then now() end, coalesce(p_priority, 0))
    on conflict (lower(full_name)) do update set
      github_id = coalesce(excluded.github_id, r.github_id),
      node_id = coalesce(excluded.node_id, r.node_id),
      pr_total_count = coalesce(excluded.pr_total_count, r.pr_total_count),
      pr_total_count_at = coalesce(excluded.pr_total_count_at, r.pr_total_count_at),
      priority = coalesce(p_priority, r.priority),
      tracked = true,
      updated_at = now()
    returning id into v_id;
  end if;

  insert into progressive_backfill.backfill_state (repository_id) values (v_id) on conflict (repository_id) do nothing;
  return progressive_backfill.repository_json(v_id);
end
$$;
