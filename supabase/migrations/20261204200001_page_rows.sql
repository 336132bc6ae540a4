-- A page's pull requests cross into Postgres as rows of one composite type, pr_row, instead of one JSON document
-- (issue 13 item 3): a direct connection sends them in Postgres's binary format, which the server copies field by
-- field instead of lexing the page's JSON a character at a time. backfill_commit_page and backfill_commit_refresh
-- take the rows; upsert_prs (webhook deliveries, backfill_upsert_pull_requests) keeps its JSON and turns it into
-- rows with backfill_pr_rows, which checks it as before.

-- ===== 24_pr_row.sql =====
-- A pull request as a page carries it into Postgres. Every field is text, as a JSON scalar is: each carrier passes
-- what it has and Postgres alone parses and checks the values (upsert_pr_rows casts them). A direct connection
-- sends a page as an array of these in Postgres's binary format, which the server copies field by field instead of
-- lexing ~300 KB of JSON a character at a time; PostgREST turns a JSON array of objects into one itself, and other
-- carriers of JSON call backfill_pr_rows.
create type progressive_backfill.pr_row as (
  github_id text,
  node_id text,
  number text,
  title text,
  body text,
  state text,
  is_draft text,
  created_at text,
  updated_at text,
  closed_at text,
  merged_at text,
  author_login text,
  author_github_id text,
  author_type text,
  additions text,
  deletions text,
  changed_files text,
  base_ref text,
  head_ref text,
  url text,
  labels text,
  review_decision text,
  review_count text,
  comment_count text,
  field_profile text
);

-- A page given as a JSON array of pull-request objects, checked (check_prs) and turned into rows; keys a row does
-- not have arrive as null.
create or replace function progressive_backfill.backfill_pr_rows(p_prs jsonb) returns progressive_backfill.pr_row[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform progressive_backfill.check_prs(p_prs);
  return array(select r from jsonb_populate_recordset(null::progressive_backfill.pr_row, p_prs) r);
end
$$;

-- ===== 30_upsert_prs.sql =====
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
    perform progressive_backfill.upsert_contributors((
      select jsonb_agg(jsonb_build_object(
        'github_id', r.author_github_id, 'login', r.author_login, 'type',
        case when r.author_type in ('User', 'Bot', 'Mannequin', 'Organization') then r.author_type end))
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

-- The same for a page given as JSON (webhook deliveries, the refresh): checked and turned into rows first.
create or replace function progressive_backfill.upsert_prs(p_repository_id bigint, p_prs jsonb)
returns table (inserted int, updated int)
language plpgsql security definer set search_path = ''
as $$
begin
  return query select * from progressive_backfill.upsert_pr_rows(p_repository_id, progressive_backfill.backfill_pr_rows(p_prs));
end
$$;

drop function if exists progressive_backfill.start_child_syncs(bigint, jsonb);
drop function if exists progressive_backfill.store_page_children(bigint, jsonb, jsonb);
drop function if exists progressive_backfill.backfill_commit_page(bigint, bigint, jsonb, jsonb, jsonb, int, int, int, boolean, int, bigint, jsonb);
drop function if exists progressive_backfill.backfill_commit_refresh(bigint, text, text, timestamptz, text, jsonb, int, jsonb, bigint, jsonb);

-- ===== 31_child_sync.sql (start_child_syncs, store_page_children) =====
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


-- ===== 40_backfill_commit_page.sql =====
-- One page, one transaction: the PRs, their children (`full` profile: p_children, see store_page_children), the
-- new cursor and every counter move together or not at all. The walk's last page completes the chunk and the
-- backfill only when no follow-up is queued; otherwise the commit that empties the queue does
-- (backfill_commit_follow_ups).
-- p_prs: the page's pull requests as rows (pr_row, 24_pr_row.sql; backfill_pr_rows makes them of JSON).
create or replace function progressive_backfill.backfill_commit_page(
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_expected_cursor jsonb,
  p_next_cursor jsonb,
  p_prs progressive_backfill.pr_row[],
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
  if p_prs is null then
    raise exception 'pull requests must be given (an empty array for none)' using errcode = 'PB004';
  end if;
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
  from progressive_backfill.upsert_pr_rows(v_chunk.repository_id, p_prs) u;
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
-- One page of the incremental refresh, one transaction: the pull requests updated since the watermark, their
-- children, the stored pull requests that left the backfill's scope (deleted with their children), and the
-- refresh's position, compare-and-set like commit_page's cursor.
--
-- The refresh walks pullRequests(orderBy: UPDATED_AT DESC) from the newest down to the watermark. Its position is
-- stored with each page, so a run (or a 60-second tick) that stops before the watermark leaves the next run a place
-- to resume, not the top. Resuming is exact: GitHub's cursor of that ordering is a (updatedAt, id) position, so the
-- pull requests below it that did not change are still below it; one that changed after the refresh began moved to
-- the top with an updatedAt later than p_target_watermark (the newest updatedAt when the refresh began), and the
-- next refresh, which walks down to that target, lists it.
--
-- p_expected_cursor: the position the page was fetched from (null: the first page of a new refresh, allowed only
-- when none is in progress). p_next_cursor: where the refresh goes on (null: the page reached the watermark; the
-- watermark becomes the refresh's target and the position is cleared). A position older than the walk's completion
-- belongs to an earlier walk and counts as none. Another position than the expected one means another worker moved
-- (or finished) this refresh: PB002, and the caller stops. A replay of this holder's last page (its response was
-- lost) answers applied = false and writes nothing. There is no lease: nothing waits for a refresh that stopped,
-- and any run may resume it.
--
-- p_prs: the page's pull requests as rows (pr_row, 24_pr_row.sql), as for backfill_commit_page.
-- p_removed: [{github_id, updated_at}] of listed pull requests outside the backfill's scope; a stored one whose
-- version is not newer is deleted (reviews, comments and follow-ups go with it).
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_expected_cursor text,
  p_next_cursor text,
  p_target_watermark timestamptz,
  p_holder text,
  p_prs progressive_backfill.pr_row[],
  p_points_spent int,
  p_removed jsonb default null,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
  v_inserted int;
  v_updated int;
  v_removed int := 0;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_holder is null or p_holder = '' then
    raise exception 'holder must be given' using errcode = 'PB004';
  end if;
  if p_expected_cursor is null and p_target_watermark is null then
    raise exception 'the first page of a refresh must give its target watermark' using errcode = 'PB004';
  end if;
  if p_removed is not null and jsonb_typeof(p_removed) <> 'array' then
    raise exception 'removed must be a JSON array' using errcode = 'PB004';
  end if;
  if p_prs is null then
    raise exception 'pull requests must be given (an empty array for none)' using errcode = 'PB004';
  end if;
  v_state := progressive_backfill.lock_state(p_repository_id);
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);

  if p_next_cursor is not null and v_cursor = p_next_cursor and v_cursor is distinct from p_expected_cursor
     and v_state.refresh_holder = p_holder then
    return jsonb_build_object('applied', false, 'inserted', 0, 'updated', 0, 'removed', 0);
  end if;
  if v_cursor is distinct from p_expected_cursor then
    raise exception 'refresh conflict: repository % is being refreshed from another position', p_repository_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_pr_rows(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  v_removed := progressive_backfill.delete_left_scope(p_repository_id, p_removed);

  if p_next_cursor is null then
    update progressive_backfill.backfill_state
    set watermark = greatest(watermark,
          case when v_cursor is null then p_target_watermark else refresh_target_watermark end),
        refreshed_at = now(),
        refresh_cursor = null, refresh_target_watermark = null, refresh_started_at = null, refresh_holder = null
    where repository_id = p_repository_id;
  else
    update progressive_backfill.backfill_state
    set refresh_cursor = p_next_cursor,
        refresh_target_watermark = case when v_cursor is null then p_target_watermark else refresh_target_watermark end,
        refresh_started_at = case when v_cursor is null then now() else refresh_started_at end,
        refresh_holder = p_holder
    where repository_id = p_repository_id;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated, 'removed', v_removed);
end
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261204200001', 'page_rows')
on conflict (version) do nothing;
