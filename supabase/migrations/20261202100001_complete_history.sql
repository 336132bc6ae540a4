-- Complete history (issue 11): contributors, reviews and comments as tables keyed by GitHub's ids, the follow-up
-- queue for connections that do not fit in a page, and the transitions that write them. Built from the files of
-- supabase/schemas/ named below.

-- ===== 16_contributors.sql =====
-- One row per GitHub account that authored a pull request, review or comment, keyed by GitHub's database id:
-- logins change, ids don't. A deleted ("ghost") author is a null author, never a row; EnterpriseUserAccount has no
-- database id, so its login stays on the rows it wrote (author_login) and it has no row here.
create table progressive_backfill.contributors (
  github_id bigint primary key,
  login text not null,
  type text check (type in ('User', 'Bot', 'Mannequin', 'Organization')),
  avatar_url text,
  html_url text,
  first_seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index contributors_login_idx on progressive_backfill.contributors (lower(login));

-- No policy: anon and authenticated read nothing (see 11_pull_requests.sql).
alter table progressive_backfill.contributors enable row level security;

-- ===== 11_pull_requests.sql: children_sync =====
alter table progressive_backfill.pull_requests add column children_sync bigint not null default 0;

-- Authors stored before contributors existed become contributors, so the new reference holds for every row.
insert into progressive_backfill.contributors (github_id, login, type)
select distinct on (author_github_id) author_github_id, author_login,
  case when author_type in ('User', 'Bot', 'Mannequin', 'Organization') then author_type end
from progressive_backfill.pull_requests
where author_github_id is not null and author_login is not null
order by author_github_id, updated_at desc
on conflict (github_id) do nothing;
update progressive_backfill.pull_requests set author_github_id = null
where author_github_id is not null
  and not exists (select from progressive_backfill.contributors c where c.github_id = author_github_id);

-- Every stored author id is a contributor: upsert_prs writes the account before the pull request.
alter table progressive_backfill.pull_requests
  add constraint pull_requests_author_github_id_fkey
  foreign key (author_github_id) references progressive_backfill.contributors (github_id);

-- ===== 17_reviews.sql =====
-- Every submitted review of a stored pull request. PENDING reviews are drafts GitHub shows only to their author and
-- may discard at any time: they are never stored. `sync` is the pull request's children_sync that last saw the row.
create table progressive_backfill.reviews (
  github_id bigint primary key,
  node_id text not null unique,
  pull_request_id bigint not null references progressive_backfill.pull_requests (id) on delete cascade,
  author_github_id bigint references progressive_backfill.contributors (github_id),
  author_login text,
  author_type text check (author_type in ('User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount')),
  state text not null check (state in ('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED')),
  body text not null,
  submitted_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  commit_oid text,
  sync bigint not null,
  captured_at timestamptz not null default now()
);
create index reviews_pull_request_idx on progressive_backfill.reviews (pull_request_id);
create index reviews_author_idx on progressive_backfill.reviews (author_github_id);

alter table progressive_backfill.reviews enable row level security;

-- ===== 18_comments.sql =====
-- Conversation comments (`issue_comment`) and review comments (`review_comment`) of stored pull requests. GitHub
-- numbers the two kinds apart, so the same github_id can be one of each: the key is (kind, github_id).
-- For review comments: `line` is null when the comment is outdated (its line left the diff), `original_line` is
-- where it was written, `in_reply_to_github_id` the first comment of its thread (not a reference: the thread may
-- start in another author's draft).
create table progressive_backfill.comments (
  kind text not null check (kind in ('issue_comment', 'review_comment')),
  github_id bigint not null,
  node_id text not null unique,
  pull_request_id bigint not null references progressive_backfill.pull_requests (id) on delete cascade,
  author_github_id bigint references progressive_backfill.contributors (github_id),
  author_login text,
  author_type text check (author_type in ('User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount')),
  body text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  review_github_id bigint references progressive_backfill.reviews (github_id) on delete cascade,
  path text,
  line int,
  original_line int,
  in_reply_to_github_id bigint,
  sync bigint not null,
  captured_at timestamptz not null default now(),
  primary key (kind, github_id),
  check ((kind = 'review_comment') = (review_github_id is not null))
);
create index comments_pull_request_idx on progressive_backfill.comments (pull_request_id);
create index comments_review_idx on progressive_backfill.comments (review_github_id);
create index comments_author_idx on progressive_backfill.comments (author_github_id);

alter table progressive_backfill.comments enable row level security;

do $$
begin
  alter table progressive_backfill.comments alter column body set compression lz4;
exception when feature_not_supported or invalid_parameter_value then
  null;
end
$$;

-- ===== 19_child_follow_ups.sql =====
-- The connections of a pull request (labels, reviews, conversation comments) or of a review (its comments) that
-- did not fit in the page that listed them, and where each continues. Every follow-up page moves its own cursor
-- in the same transaction as its rows, so a crash resumes there. A backfill is not complete while any remain.
create table progressive_backfill.child_follow_ups (
  id bigint generated always as identity primary key,
  repository_id bigint not null references progressive_backfill.repositories (id) on delete cascade,
  pull_request_id bigint not null references progressive_backfill.pull_requests (id) on delete cascade,
  kind text not null check (kind in ('labels', 'reviews', 'comments', 'review_comments')),
  node_id text not null,
  review_github_id bigint,
  cursor text,
  created_at timestamptz not null default now(),
  unique (repository_id, kind, node_id),
  check ((kind = 'review_comments') = (review_github_id is not null))
);
create index child_follow_ups_repository_idx on progressive_backfill.child_follow_ups (repository_id, id);
create index child_follow_ups_pull_request_idx on progressive_backfill.child_follow_ups (pull_request_id);

alter table progressive_backfill.child_follow_ups enable row level security;

-- ===== 31_upsert_contributors.sql =====
-- Upserts accounts by GitHub id; the newest login wins (GitHub always reports the current one), and an avatar or
-- profile URL is never erased by a source that does not carry one (a webhook, the core profile).
create or replace function progressive_backfill.upsert_contributors(p_contributors jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_contributors is null or jsonb_typeof(p_contributors) <> 'array' then
    return;
  end if;
  insert into progressive_backfill.contributors as c (github_id, login, type, avatar_url, html_url)
  select distinct on (r.github_id) r.github_id, r.login, r.type, r.avatar_url, r.html_url
  from jsonb_to_recordset(p_contributors) as r(github_id bigint, login text, type text, avatar_url text, html_url text)
  where r.github_id is not null and r.login is not null
  order by r.github_id, r.avatar_url nulls last
  on conflict (github_id) do update set
    login = excluded.login,
    type = coalesce(excluded.type, c.type),
    avatar_url = coalesce(excluded.avatar_url, c.avatar_url),
    html_url = coalesce(excluded.html_url, c.html_url),
    updated_at = now()
  where (c.login, c.type, c.avatar_url, c.html_url) is distinct from
        (excluded.login, coalesce(excluded.type, c.type), coalesce(excluded.avatar_url, c.avatar_url),
         coalesce(excluded.html_url, c.html_url));
end
$$;

-- ===== 31_upsert_children.sql =====
-- Upserts reviews and comments of the pull requests of one repository and stamps each row with its pull request's
-- current children_sync: the row was seen by that sync, whether or not its content changed. An older version never
-- overwrites a newer one. Children of pull requests that are not stored (or belong elsewhere) are ignored.
create or replace function progressive_backfill.upsert_children(
  p_repository_id bigint,
  p_reviews jsonb,
  p_comments jsonb
) returns int
language plpgsql security definer set search_path = ''
as $$
declare
  v_reviews int := 0;
  v_comments int := 0;
begin
  begin
    with incoming as (
      select distinct on (r.github_id) r.*, pr.id as pull_request_id, pr.children_sync
      from jsonb_to_recordset(coalesce(p_reviews, '[]'::jsonb)) as r(
        github_id bigint, node_id text, pull_request_github_id bigint, author_github_id bigint, author_login text,
        author_type text, state text, body text, submitted_at timestamptz, created_at timestamptz,
        updated_at timestamptz, commit_oid text)
      join progressive_backfill.pull_requests pr
        on pr.github_id = r.pull_request_github_id and pr.repository_id = p_repository_id
      order by r.github_id, r.updated_at desc
    ),
    written as (
      insert into progressive_backfill.reviews as v (
        github_id, node_id, pull_request_id, author_github_id, author_login, author_type, state, body,
        submitted_at, created_at, updated_at, commit_oid, sync)
      select i.github_id, i.node_id, i.pull_request_id, i.author_github_id, i.author_login, i.author_type, i.state,
        i.body, i.submitted_at, i.created_at, i.updated_at, i.commit_oid, i.children_sync
      from incoming i
      on conflict (github_id) do update set
        node_id = excluded.node_id,
        pull_request_id = excluded.pull_request_id,
        author_github_id = excluded.author_github_id,
        author_login = excluded.author_login,
        author_type = excluded.author_type,
        state = excluded.state,
        body = excluded.body,
        submitted_at = excluded.submitted_at,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        commit_oid = excluded.commit_oid,
        sync = excluded.sync,
        captured_at = now()
      where excluded.updated_at >= v.updated_at
      returning 1
    )
    select count(*) into v_reviews from written;

    with incoming as (
      select distinct on (c.kind, c.github_id) c.*, pr.id as pull_request_id, pr.children_sync
      from jsonb_to_recordset(coalesce(p_comments, '[]'::jsonb)) as c(
        kind text, github_id bigint, node_id text, pull_request_github_id bigint, author_github_id bigint,
        author_login text, author_type text, body text, created_at timestamptz, updated_at timestamptz,
        review_github_id bigint, path text, line int, original_line int, in_reply_to_github_id bigint)
      join progressive_backfill.pull_requests pr
        on pr.github_id = c.pull_request_github_id and pr.repository_id = p_repository_id
      order by c.kind, c.github_id, c.updated_at desc
    ),
    written as (
      insert into progressive_backfill.comments as m (
        kind, github_id, node_id, pull_request_id, author_github_id, author_login, author_type, body, created_at,
        updated_at, review_github_id, path, line, original_line, in_reply_to_github_id, sync)
      select i.kind, i.github_id, i.node_id, i.pull_request_id, i.author_github_id, i.author_login, i.author_type,
        i.body, i.created_at, i.updated_at, i.review_github_id, i.path, i.line, i.original_line,
        i.in_reply_to_github_id, i.children_sync
      from incoming i
      on conflict (kind, github_id) do update set
        node_id = excluded.node_id,
        pull_request_id = excluded.pull_request_id,
        author_github_id = excluded.author_github_id,
        author_login = excluded.author_login,
        author_type = excluded.author_type,
        body = excluded.body,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        review_github_id = excluded.review_github_id,
        path = excluded.path,
        line = excluded.line,
        original_line = excluded.original_line,
        in_reply_to_github_id = excluded.in_reply_to_github_id,
        sync = excluded.sync,
        captured_at = now()
      where excluded.updated_at >= m.updated_at
      returning 1
    )
    select count(*) into v_comments from written;

    -- An older copy than the stored one changes nothing, but its sync has still seen the row.
    update progressive_backfill.reviews v
    set sync = pr.children_sync
    from jsonb_to_recordset(coalesce(p_reviews, '[]'::jsonb)) as r(github_id bigint, pull_request_github_id bigint)
    join progressive_backfill.pull_requests pr
      on pr.github_id = r.pull_request_github_id and pr.repository_id = p_repository_id
    where v.github_id = r.github_id and v.sync <> pr.children_sync;
    update progressive_backfill.comments m
    set sync = pr.children_sync
    from jsonb_to_recordset(coalesce(p_comments, '[]'::jsonb)) as c(kind text, github_id bigint, pull_request_github_id bigint)
    join progressive_backfill.pull_requests pr
      on pr.github_id = c.pull_request_github_id and pr.repository_id = p_repository_id
    where m.kind = c.kind and m.github_id = c.github_id and m.sync <> pr.children_sync;
  exception
    when check_violation or not_null_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range or foreign_key_violation
      or cardinality_violation then
      raise exception 'invalid review or comment row: %', sqlerrm using errcode = 'PB004';
  end;
  return v_reviews + v_comments;
end
$$;

-- ===== 31_child_sync.sql =====
-- A pull request's children are re-synced whenever a page brings its `full` version: its children_sync moves on,
-- every child the sync sees is stamped with it, and once no follow-up of the pull request remains (its whole child
-- walk is done), the children the sync did not see are gone from GitHub and are deleted. Deleting earlier would
-- drop children that a pending follow-up page has simply not reached yet.

-- Opens a sync for each `full` pull request of the page whose stored version is the page's (an older copy than
-- the stored one brings nothing to sync); their unfinished follow-ups belong to the old sync and are dropped.
create or replace function progressive_backfill.start_child_syncs(p_repository_id bigint, p_prs jsonb)
returns bigint[]
language plpgsql security definer set search_path = ''
as $$
declare
  v_ids bigint[];
begin
  with synced as (
    update progressive_backfill.pull_requests pr
    set children_sync = pr.children_sync + 1
    from jsonb_to_recordset(p_prs) as r(github_id bigint, updated_at timestamptz, field_profile text)
    where pr.repository_id = p_repository_id and pr.github_id = r.github_id and r.field_profile = 'full'
      and pr.updated_at = r.updated_at
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
  p_prs jsonb,
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
  v_synced := progressive_backfill.start_child_syncs(p_repository_id, p_prs);
  perform progressive_backfill.upsert_children(p_repository_id, p_children -> 'reviews', p_children -> 'comments');
  perform progressive_backfill.add_follow_ups(p_repository_id, p_children -> 'follow_ups', v_synced);
  perform progressive_backfill.finish_child_syncs(v_synced);
end
$$;

-- ===== 31_complete_walk.sql =====
-- The walk of a backfill is over and nothing remains to follow up: its chunk and the backfill complete.
create or replace function progressive_backfill.complete_walk(p_chunk_id bigint) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
begin
  update progressive_backfill.backfill_chunks
  set status = 'completed', finished_at = now(), lease_owner = null, lease_expires_at = null
  where id = p_chunk_id
  returning repository_id into v_repository_id;
  update progressive_backfill.backfill_state
  set status = 'completed', completed_at = now(), updated_at = now()
  where repository_id = v_repository_id;
end
$$;

-- ===== 30_upsert_prs.sql =====
-- Upserts a page in one statement. An older version never overwrites a newer one; columns a poorer field profile
-- does not fetch (absent keys arrive as null) keep what a richer profile stored.
create or replace function progressive_backfill.upsert_prs(p_repository_id bigint, p_prs jsonb)
returns table (inserted int, updated int)
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int := 0;
  v_updated int := 0;
begin
  perform progressive_backfill.check_prs(p_prs);
  if not exists (select 1 from progressive_backfill.repositories where id = p_repository_id) then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  begin
    -- authors first: pull_requests.author_github_id references contributors
    perform progressive_backfill.upsert_contributors((
      select jsonb_agg(jsonb_build_object(
        'github_id', e -> 'author_github_id', 'login', e -> 'author_login', 'type',
        case when e ->> 'author_type' in ('User', 'Bot', 'Mannequin', 'Organization') then e -> 'author_type' end))
      from jsonb_array_elements(p_prs) e
      where e ->> 'author_github_id' is not null and e ->> 'author_login' is not null));
    with incoming as (
      -- one row per PR: a page that repeats a PR keeps its newest version (ON CONFLICT cannot touch a row twice)
      select distinct on (r.github_id) r.*
      from jsonb_to_recordset(p_prs) as r(
        github_id bigint, node_id text, number int, title text, body text, state text, is_draft boolean,
        created_at timestamptz, updated_at timestamptz, closed_at timestamptz, merged_at timestamptz,
        author_login text, author_github_id bigint, author_type text,
        additions int, deletions int, changed_files int, base_ref text, head_ref text, url text,
        labels jsonb, review_decision text, review_count int, comment_count int, reviews jsonb, comments jsonb,
        field_profile text)
      order by r.github_id, r.updated_at desc
    ),
    written as (
      insert into progressive_backfill.pull_requests as pr (
        repository_id, github_id, node_id, number, title, body, state, is_draft, created_at, updated_at,
        closed_at, merged_at, author_login, author_github_id, author_type, additions, deletions, changed_files,
        base_ref, head_ref, url, labels, review_decision, review_count, comment_count, reviews, comments,
        field_profile, captured_at)
      select
        p_repository_id, i.github_id, i.node_id, i.number, i.title, i.body, i.state, coalesce(i.is_draft, false),
        i.created_at, i.updated_at, i.closed_at, i.merged_at, i.author_login, i.author_github_id, i.author_type,
        coalesce(i.additions, 0), coalesce(i.deletions, 0), coalesce(i.changed_files, 0), i.base_ref, i.head_ref,
        i.url, i.labels, i.review_decision, i.review_count, i.comment_count, i.reviews, i.comments,
        i.field_profile, now()
      from incoming i
      on conflict (github_id) do update set
        node_id = excluded.node_id,
        number = excluded.number,
        title = excluded.title,
        body = excluded.body,
        state = excluded.state,
        is_draft = excluded.is_draft,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        closed_at = excluded.closed_at,
        merged_at = excluded.merged_at,
        author_login = excluded.author_login,
        author_github_id = excluded.author_github_id,
        author_type = excluded.author_type,
        additions = excluded.additions,
        deletions = excluded.deletions,
        changed_files = excluded.changed_files,
        base_ref = excluded.base_ref,
        head_ref = excluded.head_ref,
        url = excluded.url,
        labels = coalesce(excluded.labels, pr.labels),
        review_decision = case when excluded.field_profile = 'core' then pr.review_decision
                               else excluded.review_decision end,
        review_count = coalesce(excluded.review_count, pr.review_count),
        comment_count = coalesce(excluded.comment_count, pr.comment_count),
        reviews = coalesce(excluded.reviews, pr.reviews),
        comments = coalesce(excluded.comments, pr.comments),
        field_profile = case
          when array_position(array['core', 'standard', 'full'], excluded.field_profile)
               >= array_position(array['core', 'standard', 'full'], pr.field_profile) then excluded.field_profile
          else pr.field_profile end,
        captured_at = now()
      where excluded.updated_at >= pr.updated_at
      returning (pr.xmax = 0) as is_insert
    )
    select count(*) filter (where is_insert), count(*) filter (where not is_insert)
    into v_inserted, v_updated
    from written;
  exception
    when check_violation or not_null_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range or invalid_parameter_value
      or invalid_binary_representation or cardinality_violation then
      raise exception 'invalid pull request row: %', sqlerrm using errcode = 'PB004';
  end;
  if v_inserted > 0 then
    update progressive_backfill.repositories
    set stored_pr_count = stored_pr_count + v_inserted, updated_at = now()
    where id = p_repository_id;
  end if;
  return query select v_inserted, v_updated;
end
$$;

-- New arguments: the old signatures go, or calls would be ambiguous between the two.
drop function if exists progressive_backfill.backfill_commit_page(bigint, bigint, jsonb, jsonb, jsonb, int, int, int, boolean, int, bigint);
drop function if exists progressive_backfill.backfill_commit_refresh(bigint, jsonb, int, timestamptz, bigint);

-- ===== 40_backfill_commit_page.sql =====
-- One page, one transaction: the PRs, their children (`full` profile: p_children, see store_page_children), the
-- new cursor and every counter move together or not at all. The walk's last page completes the chunk and the
-- backfill only when no follow-up is queued; otherwise the commit that empties the queue does
-- (backfill_commit_follow_ups).
create or replace function progressive_backfill.backfill_commit_page(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_expected_cursor jsonb,
  p_next_cursor jsonb,
  p_prs jsonb,
  p_points_spent int,
  p_skipped_nodes int,
  p_github_total_count int,
  p_done boolean,
  p_lease_seconds int,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_state progressive_backfill.backfill_state;
  v_inserted int;
  v_updated int;
  v_stored int;
  v_lease timestamptz;
  v_done boolean;
begin
  if p_points_spent is null or p_points_spent < 0 or p_skipped_nodes < 0 or p_github_total_count < 0 then
    raise exception 'points spent, skipped nodes and total count must be >= 0' using errcode = 'PB004';
  end if;
  if p_lease_seconds is null or p_lease_seconds <= 0 then
    raise exception 'lease seconds must be > 0' using errcode = 'PB004';
  end if;
  if p_done is null then
    raise exception 'done must be true or false' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  -- A JSON null cursor and an SQL NULL one mean the same thing ("not started"); transports differ in which they send.
  p_expected_cursor := nullif(p_expected_cursor, 'null'::jsonb);
  p_next_cursor := nullif(p_next_cursor, 'null'::jsonb);

  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  select * into v_state from progressive_backfill.backfill_state where repository_id = v_chunk.repository_id;

  -- A replayed RPC (the response was lost and the call retried) must report success without applying twice.
  if v_chunk.fencing_token = p_fencing_token and (
       (v_chunk.status = 'running'
         and v_state.cursor is not distinct from p_next_cursor
         and v_state.cursor is distinct from p_expected_cursor)
    or (v_chunk.status = 'completed' and p_done and v_chunk.end_cursor is not distinct from p_next_cursor)
  ) then
    return jsonb_build_object(
      'applied', false, 'inserted', 0, 'updated', 0,
      'storedPrCount', (select stored_pr_count from progressive_backfill.repositories where id = v_chunk.repository_id),
      'leaseExpiresAt', coalesce(v_chunk.lease_expires_at, now()));
  end if;

  perform progressive_backfill.assert_lease(v_chunk, p_fencing_token);
  if v_state.cursor is distinct from p_expected_cursor then
    raise exception 'cursor conflict: chunk % expected another cursor than the stored one', p_chunk_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(v_chunk.repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(v_chunk.repository_id, p_prs, p_children);
  v_done := p_done and not exists (
    select from progressive_backfill.child_follow_ups where repository_id = v_chunk.repository_id);

  v_lease := case when v_done then now() else now() + make_interval(secs => p_lease_seconds) end;

  update progressive_backfill.backfill_chunks
  set end_cursor = p_next_cursor,
      pages_committed = pages_committed + 1,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      skipped_nodes = skipped_nodes + coalesce(p_skipped_nodes, 0),
      heartbeat_at = now(),
      status = case when v_done then 'completed' else status end,
      finished_at = case when v_done then now() end,
      lease_owner = case when v_done then null else lease_owner end,
      lease_expires_at = case when v_done then null else v_lease end
  where id = p_chunk_id;

  update progressive_backfill.backfill_state
  set cursor = p_next_cursor,
      prs_written = prs_written + v_inserted + v_updated,
      points_spent = points_spent + p_points_spent,
      consecutive_errors = 0,
      status = case when v_done then 'completed' else status end,
      completed_at = case when v_done then now() else completed_at end,
      updated_at = now()
  where repository_id = v_chunk.repository_id;

  if p_github_total_count is not null then
    update progressive_backfill.repositories
    set pr_total_count = p_github_total_count, pr_total_count_at = now(), updated_at = now()
    where id = v_chunk.repository_id;
  end if;
  select stored_pr_count into v_stored from progressive_backfill.repositories where id = v_chunk.repository_id;

  if coalesce(p_run_id, v_chunk.run_id) is not null then
    perform progressive_backfill.touch_run(coalesce(p_run_id, v_chunk.run_id), v_inserted + v_updated, p_points_spent);
  end if;

  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated,
    'storedPrCount', v_stored, 'leaseExpiresAt', v_lease, 'completed', v_done);
end
$$;

-- ===== 40_backfill_commit_refresh.sql =====
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_prs jsonb,
  p_points_spent int,
  p_new_watermark timestamptz,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int;
  v_updated int;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  perform progressive_backfill.lock_state(p_repository_id);

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      watermark = case when p_new_watermark is null then watermark else greatest(watermark, p_new_watermark) end,
      refreshed_at = now(),
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object('inserted', v_inserted, 'updated', v_updated);
end
$$;

-- ===== 41_backfill_list_follow_ups.sql =====
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

-- ===== 41_backfill_commit_follow_ups.sql =====
-- A follow-up request's pages in one transaction: each page's rows, the follow-ups it reveals, and its task's new
-- cursor (or the task's end), compare-and-set per page: a page whose task is gone or has moved on (a replayed
-- call, or a re-sync that restarted the pull request's children) is skipped, never applied twice. Inside a
-- backfill the chunk's lease fences the call and is extended; the refresh (no chunk) passes null for both.
-- When p_walk_done and no follow-up of the repository remains, the chunk and the backfill complete here.
--
-- p_pages: [{kind, node_id, expected_cursor, next_cursor (null: done), contributors, reviews, comments, labels,
-- follow_ups}]
create or replace function progressive_backfill.backfill_commit_follow_ups(
  p_repository_id bigint,
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_pages jsonb,
  p_points_spent int,
  p_walk_done boolean,
  p_lease_seconds int,
  p_run_id bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_page jsonb;
  v_task progressive_backfill.child_follow_ups;
  v_applied int := 0;
  v_skipped int := 0;
  v_written int := 0;
  v_prs bigint[] := '{}';
  v_remaining int;
  v_completed boolean := false;
begin
  if p_pages is null or jsonb_typeof(p_pages) <> 'array' then
    raise exception 'pages must be a JSON array' using errcode = 'PB004';
  end if;
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_chunk_id is not null then
    if p_lease_seconds is null or p_lease_seconds <= 0 then
      raise exception 'lease seconds must be > 0' using errcode = 'PB004';
    end if;
    v_chunk := progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);
    if v_chunk.repository_id <> p_repository_id then
      raise exception 'chunk % is not a chunk of repository %', p_chunk_id, p_repository_id using errcode = 'PB004';
    end if;
  else
    perform progressive_backfill.lock_state(p_repository_id);
  end if;

  for v_page in select value from jsonb_array_elements(p_pages) loop
    select * into v_task from progressive_backfill.child_follow_ups
    where repository_id = p_repository_id and kind = v_page ->> 'kind' and node_id = v_page ->> 'node_id'
    for update;
    if not found or v_task.cursor is distinct from (v_page ->> 'expected_cursor') then
      v_skipped := v_skipped + 1;
      continue;
    end if;
    perform progressive_backfill.upsert_contributors(v_page -> 'contributors');
    v_written := v_written + progressive_backfill.upsert_children(
      p_repository_id, v_page -> 'reviews', v_page -> 'comments');
    if jsonb_typeof(v_page -> 'labels') = 'array' then
      update progressive_backfill.pull_requests pr
      set labels = coalesce(pr.labels, '[]'::jsonb) || coalesce((
        select jsonb_agg(l.value order by l.ordinality)
        from jsonb_array_elements(v_page -> 'labels') with ordinality l
        where not coalesce(pr.labels, '[]'::jsonb) @> jsonb_build_array(l.value)), '[]'::jsonb)
      where pr.id = v_task.pull_request_id;
    end if;
    perform progressive_backfill.add_follow_ups(p_repository_id, v_page -> 'follow_ups', array[v_task.pull_request_id]);
    if v_page ->> 'next_cursor' is null then
      delete from progressive_backfill.child_follow_ups where id = v_task.id;
    else
      update progressive_backfill.child_follow_ups set cursor = v_page ->> 'next_cursor' where id = v_task.id;
    end if;
    v_prs := v_prs || v_task.pull_request_id;
    v_applied := v_applied + 1;
  end loop;
  perform progressive_backfill.finish_child_syncs(v_prs);

  select count(*) into v_remaining from progressive_backfill.child_follow_ups where repository_id = p_repository_id;
  v_completed := p_chunk_id is not null and coalesce(p_walk_done, false) and v_remaining = 0;

  if p_chunk_id is not null then
    update progressive_backfill.backfill_chunks
    set points_spent = points_spent + p_points_spent,
        heartbeat_at = now(),
        lease_expires_at = now() + make_interval(secs => p_lease_seconds)
    where id = p_chunk_id;
    if v_completed then
      perform progressive_backfill.complete_walk(p_chunk_id);
    end if;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent, consecutive_errors = 0, updated_at = now()
  where repository_id = p_repository_id;
  if coalesce(p_run_id, v_chunk.run_id) is not null then
    perform progressive_backfill.touch_run(coalesce(p_run_id, v_chunk.run_id), 0, p_points_spent);
  end if;

  return jsonb_build_object(
    'applied', v_applied, 'skipped', v_skipped, 'written', v_written, 'remaining', v_remaining,
    'completed', v_completed);
end
$$;

-- ===== 99_privileges.sql =====
select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202100001', 'complete_history')
on conflict (version) do nothing;
