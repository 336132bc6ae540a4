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
