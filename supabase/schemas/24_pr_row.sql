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
