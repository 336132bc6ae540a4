-- A pull request's children are re-synced whenever a page brings its `full` version: its children_sync moves on,
-- every child the sync sees is stamped with it, and once no follow-up of the pull request remains (its whole child
-- walk is done), the children the sync did not see are gone from GitHub and are deleted. Deleting earlier would
-- drop children that a pending follow-up page has simply not reached yet.

-- Opens a sync for each `full` pull request of the page whose stored version is the page's (an older copy than
-- the stored one brings nothing to sync); their unfinished follow-ups belong to the old sync and are dropped.
create or replace function progressive_backfill.start_child_syncs(
  p_repository_id bigint,
  p_rows progressive_backfill.pr_row[]
)
returns bigint[]
language plpgsql security definer set search_path = ''
as $$
declare
  v_ids bigint[];
begin
  with synced as (
    update progressive_backfill.pull_requests pr
    set children_sync = pr.children_sync + 1
    from unnest(p_rows) r
    where pr.repository_id = p_repository_id and pr.github_id = r.github_id::bigint and r.field_profile = 'full'
      and pr.updated_at = r.updated_at::timestamptz
    returning pr.id
  )
  select coalesce(array_agg(id), '{}') into v_ids from synced;
  delete from progressive_backfill.child_follow_ups where pull_request_id = any(v_ids);
  return v_ids;
end
$$;

-- Queues follow-ups for pull requests of the repository (only those in p_pull_request_ids when given).
create or replace function progressive_backfill.add_follow_ups(
  p_repository_id bigint,
  p_follow_ups jsonb,
  p_pull_request_ids bigint[] default null
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_follow_ups is null or jsonb_typeof(p_follow_ups) <> 'array' then
    return;
  end if;
  insert into progressive_backfill.child_follow_ups (
    repository_id, pull_request_id, kind, node_id, review_github_id, cursor)
  select p_repository_id, pr.id, f.kind, f.node_id, f.review_github_id, f.cursor
  from jsonb_to_recordset(p_follow_ups) as f(
    kind text, node_id text, pull_request_github_id bigint, review_github_id bigint, cursor text)
  join progressive_backfill.pull_requests pr
    on pr.github_id = f.pull_request_github_id and pr.repository_id = p_repository_id
  where p_pull_request_ids is null or pr.id = any(p_pull_request_ids)
  on conflict (repository_id, kind, node_id) do nothing;
exception
  when check_violation or not_null_violation or invalid_text_representation or numeric_value_out_of_range then
    raise exception 'invalid follow-up: %', sqlerrm using errcode = 'PB004';
end
$$;

-- Ends the syncs of these pull requests that have no follow-up left: children the sync did not see are deleted.
create or replace function progressive_backfill.finish_child_syncs(p_pull_request_ids bigint[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  delete from progressive_backfill.comments c
  using progressive_backfill.pull_requests pr
  where pr.id = any(p_pull_request_ids) and c.pull_request_id = pr.id and c.sync < pr.children_sync
    and not exists (select from progressive_backfill.child_follow_ups f where f.pull_request_id = pr.id);
  delete from progressive_backfill.reviews v
  using progressive_backfill.pull_requests pr
  where pr.id = any(p_pull_request_ids) and v.pull_request_id = pr.id and v.sync < pr.children_sync
    and not exists (select from progressive_backfill.child_follow_ups f where f.pull_request_id = pr.id);
end
$$;

-- The children part of a page commit: accounts, the syncs the page opens, reviews and comments, follow-ups, and
-- the syncs that are already complete. p_children: {contributors, reviews, comments, follow_ups}.
create or replace function progressive_backfill.store_page_children(
  p_repository_id bigint,
  p_rows progressive_backfill.pr_row[],
  p_children jsonb
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_synced bigint[];
begin
  if p_children is null or jsonb_typeof(p_children) <> 'object' then
    return;
  end if;
  perform progressive_backfill.upsert_contributors(p_children -> 'contributors');
  v_synced := progressive_backfill.start_child_syncs(p_repository_id, p_rows);
  perform progressive_backfill.upsert_children(p_repository_id, p_children -> 'reviews', p_children -> 'comments');
  perform progressive_backfill.add_follow_ups(p_repository_id, p_children -> 'follow_ups', v_synced);
  perform progressive_backfill.finish_child_syncs(v_synced);
end
$$;
