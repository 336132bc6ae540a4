create table progressive_backfill.pull_requests (
  id bigint generated always as identity primary key,
  repository_id bigint not null references progressive_backfill.repositories (id) on delete cascade,
  github_id bigint not null unique,
  node_id text not null,
  number int not null check (number > 0),
  title text not null,
  body text,
  state text not null check (state in ('OPEN', 'CLOSED', 'MERGED')),
  is_draft boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  merged_at timestamptz,
  author_login text,
  author_github_id bigint,
  author_type text check (author_type in ('User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount')),
  additions int not null default 0 check (additions >= 0),
  deletions int not null default 0 check (deletions >= 0),
  changed_files int not null default 0 check (changed_files >= 0),
  base_ref text,
  head_ref text,
  url text not null,
  labels jsonb check (labels is null or jsonb_typeof(labels) = 'array'),
  review_decision text,
  review_count int check (review_count >= 0),
  comment_count int check (comment_count >= 0),
  field_profile text not null check (field_profile in ('core', 'standard', 'full')),
  captured_at timestamptz not null default now(),
  -- the newest sync of the pull request's children (31_child_sync.sql); every child carries the sync that saw it
  children_sync bigint not null default 0,
  unique (repository_id, number)
);
create index pull_requests_repository_updated_idx on progressive_backfill.pull_requests (repository_id, updated_at desc);

-- No policy: only the owner (the migrating role, and the security-definer functions running as it) sees rows.
-- anon and authenticated read nothing.
alter table progressive_backfill.pull_requests enable row level security;

-- lz4 compresses pull-request bodies several times faster than the default pglz, which dominates a page commit.
-- Servers built without lz4 (PGlite among them) keep pglz.
do $$
begin
  alter table progressive_backfill.pull_requests alter column body set compression lz4;
exception when feature_not_supported or invalid_parameter_value then
  null;
end
$$;
