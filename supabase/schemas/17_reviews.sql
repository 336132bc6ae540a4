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
