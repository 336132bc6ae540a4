-- Upserts reviews and comments of the pull requests of one repository and stamps each row with its pull request's
-- current children_sync: the row was seen by that sync, whether or not its content changed. An older version never
-- overwrites a newer one. Children of pull requests that are not stored (or belong elsewhere) are ignored, and so are
-- comments a webhook reported deleted (deleted_comments).
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
      -- a page read before a webhook reported the comment deleted would bring it back
      where not exists (
        select from progressive_backfill.deleted_comments d where d.kind = c.kind and d.github_id = c.github_id)
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
