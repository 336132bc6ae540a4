create table progressive_backfill.repositories (
  id bigint generated always as identity primary key,
  github_id bigint unique,
  node_id text unique,
  owner text not null,
  name text not null,
  full_name text generated always as (owner || '/' || name) stored,
  pr_total_count int check (pr_total_count >= 0),
  pr_total_count_at timestamptz,
  stored_pr_count int not null default 0 check (stored_pr_count >= 0),
  tracked boolean not null default true,
  priority int not null default 0,
  -- when the stored owner/name was observed (a lookup on GitHub, a webhook payload): an older view cannot rename
  name_observed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index repositories_full_name_key on progressive_backfill.repositories (lower(full_name));

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.repositories enable row level security;

-- Every page commit updates its repository's row (the counts), and each pull request the commit writes checks that
-- row (its foreign key). Left full, a page holds a row's long chain of dead versions until it fills up, and every
-- check walks it; kept nine tenths empty, the page is pruned as it goes and a check finds the live version at once.
alter table progressive_backfill.repositories set (fillfactor = 10);
