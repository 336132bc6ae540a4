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

-- Every stored author id is a contributor: upsert_prs writes the account before the pull request.
alter table progressive_backfill.pull_requests
  add constraint pull_requests_author_github_id_fkey
  foreign key (author_github_id) references progressive_backfill.contributors (github_id);
