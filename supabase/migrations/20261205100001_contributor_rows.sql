-- A page's authors reach the contributors table as rows (contributor_row), not as a JSON document built from the
-- page's rows and parsed again: the page commit's database CPU falls (issue 13 item 3). upsert_contributors keeps
-- its JSON argument for children and webhook deliveries and turns it into the same rows.

-- ===== 24_contributor_row.sql =====
-- An account as upsert_contributor_rows takes it. A page's authors go from its pr_row[] (24_pr_row.sql) to the
-- contributors table as rows of this, with no detour through JSON; sources of JSON (children, webhooks) turn theirs
-- into the same rows (upsert_contributors).
create type progressive_backfill.contributor_row as (
  github_id bigint,
  login text,
  type text,
  avatar_url text,
  html_url text
);

-- ===== 31_upsert_contributors.sql =====
-- Upserts accounts by GitHub id; the newest login wins (GitHub always reports the current one), and an avatar or
-- profile URL is never erased by a source that does not carry one (a webhook, the core profile). Rows without an id
-- or a login are no account and are left out.
create or replace function progressive_backfill.upsert_contributor_rows(p_rows progressive_backfill.contributor_row[])
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into progressive_backfill.contributors as c (github_id, login, type, avatar_url, html_url)
  select distinct on (r.github_id) r.github_id, r.login, r.type, r.avatar_url, r.html_url
  from unnest(p_rows) r
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

-- The same for accounts given as a JSON array of objects (children of a page, webhook deliveries); anything but an
-- array is no accounts.
create or replace function progressive_backfill.upsert_contributors(p_contributors jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_contributors is null or jsonb_typeof(p_contributors) <> 'array' then
    return;
  end if;
  perform progressive_backfill.upsert_contributor_rows(array(
    select r from jsonb_populate_recordset(null::progressive_backfill.contributor_row, p_contributors) r));
end
$$;

-- ===== 30_upsert_prs.sql (upsert_pr_rows) =====
-- Upserts a page (rows of pr_row, see 24_pr_row.sql) in one statement. An older version never overwrites a newer
-- one; columns a poorer field profile does not fetch (null fields) keep what a richer profile stored.
create or replace function progressive_backfill.upsert_pr_rows(p_repository_id bigint, p_rows progressive_backfill.pr_row[])
returns table (inserted int, updated int)
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int := 0;
  v_updated int := 0;
begin
  if p_rows is null then
    raise exception 'pull requests must be given (an empty array for none)' using errcode = 'PB004';
  end if;
  if not exists (select 1 from progressive_backfill.repositories where id = p_repository_id) then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
  begin
    -- authors first: pull_requests.author_github_id references contributors
    perform progressive_backfill.upsert_contributor_rows(array(
      select (r.author_github_id::bigint, r.author_login,
              case when r.author_type in ('User', 'Bot', 'Mannequin', 'Organization') then r.author_type end,
              null, null)::progressive_backfill.contributor_row
      from unnest(p_rows) r
      where r.author_github_id is not null and r.author_login is not null));
    with typed as (
      select r.github_id::bigint as github_id, r.node_id, r.number::int as number, r.title, r.body, r.state,
        r.is_draft::boolean as is_draft, r.created_at::timestamptz as created_at,
        r.updated_at::timestamptz as updated_at, r.closed_at::timestamptz as closed_at,
        r.merged_at::timestamptz as merged_at, r.author_login, r.author_github_id::bigint as author_github_id,
        r.author_type, r.additions::int as additions, r.deletions::int as deletions,
        r.changed_files::int as changed_files, r.base_ref, r.head_ref, r.url, r.labels::jsonb as labels,
        r.review_decision, r.review_count::int as review_count, r.comment_count::int as comment_count,
        r.field_profile
      from unnest(p_rows) r
    ),
    incoming as (
      -- one row per PR: a page that repeats a PR keeps its newest version (ON CONFLICT cannot touch a row twice)
      select distinct on (t.github_id) t.*
      from typed t
      order by t.github_id, t.updated_at desc
    ),
    written as (
      insert into progressive_backfill.pull_requests as pr (
        repository_id, github_id, node_id, number, title, body, state, is_draft, created_at, updated_at,
        closed_at, merged_at, author_login, author_github_id, author_type, additions, deletions, changed_files,
        base_ref, head_ref, url, labels, review_decision, review_count, comment_count, field_profile, captured_at)
      select
        p_repository_id, i.github_id, i.node_id, i.number, i.title, i.body, i.state, coalesce(i.is_draft, false),
        i.created_at, i.updated_at, i.closed_at, i.merged_at, i.author_login, i.author_github_id, i.author_type,
        coalesce(i.additions, 0), coalesce(i.deletions, 0), coalesce(i.changed_files, 0), i.base_ref, i.head_ref,
        i.url, i.labels, i.review_decision, i.review_count, i.comment_count, i.field_profile, now()
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

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261205100001', 'contributor_rows')
on conflict (version) do nothing;
