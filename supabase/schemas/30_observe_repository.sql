-- Tracks a repository under the name it had when it was observed (`p_observed_at`): a lookup on GitHub observes it
-- now, a webhook delivery when its payload was written. A known GitHub id under another name is the same repository,
-- renamed, and the rename is applied only when this observation is not older than the one that set the stored name,
-- so a late or out-of-order delivery cannot undo a newer rename. Everything else given is stored either way.
create or replace function progressive_backfill.observe_repository(
  p_owner text,
  p_name text,
  p_github_id bigint,
  p_node_id text,
  p_pr_total_count int,
  p_priority int,
  p_observed_at timestamptz,
  out repository_id bigint,
  out name_applied boolean
)
language plpgsql security definer set search_path = ''
as $$
begin
  -- letters, digits and hyphens; underscores for Enterprise Managed Users (`handle_shortcode`)
  if p_owner is null or p_owner !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$' then
    raise exception 'invalid repository owner %', coalesce(quote_literal(p_owner), 'null') using errcode = 'PB004';
  end if;
  if p_name is null or p_name !~ '^[A-Za-z0-9._-]{1,100}$' or p_name in ('.', '..') then
    raise exception 'invalid repository name %', coalesce(quote_literal(p_name), 'null') using errcode = 'PB004';
  end if;
  if p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;
  if p_observed_at is null then
    raise exception 'the time the repository was observed is required' using errcode = 'PB004';
  end if;

  if p_github_id is not null then
    select r.id, r.name_observed_at is null or p_observed_at >= r.name_observed_at
    into repository_id, name_applied
    from progressive_backfill.repositories r
    where r.github_id = p_github_id
    for update;
    if found then
      update progressive_backfill.repositories
      set owner = case when name_applied then p_owner else owner end,
          name = case when name_applied then p_name else name end,
          name_observed_at = case when name_applied then p_observed_at else name_observed_at end,
          node_id = coalesce(p_node_id, node_id),
          pr_total_count = coalesce(p_pr_total_count, pr_total_count),
          pr_total_count_at = case when p_pr_total_count is not null then now() else pr_total_count_at end,
          priority = coalesce(p_priority, priority),
          tracked = true,
          updated_at = now()
      where id = repository_id;
    end if;
  end if;

  if repository_id is null then
    insert into progressive_backfill.repositories as r
      (owner, name, github_id, node_id, pr_total_count, pr_total_count_at, priority, name_observed_at)
    values (p_owner, p_name, p_github_id, p_node_id, p_pr_total_count,
            case when p_pr_total_count is not null then now() end, coalesce(p_priority, 0), p_observed_at)
    on conflict (lower(full_name)) do update set
      github_id = coalesce(excluded.github_id, r.github_id),
      node_id = coalesce(excluded.node_id, r.node_id),
      pr_total_count = coalesce(excluded.pr_total_count, r.pr_total_count),
      pr_total_count_at = coalesce(excluded.pr_total_count_at, r.pr_total_count_at),
      priority = coalesce(p_priority, r.priority),
      name_observed_at = greatest(r.name_observed_at, excluded.name_observed_at),
      tracked = true,
      updated_at = now()
    returning r.id into repository_id;
    name_applied := true;
  end if;

  insert into progressive_backfill.backfill_state (repository_id) values (repository_id)
  on conflict on constraint backfill_state_pkey do nothing;
end
$$;
