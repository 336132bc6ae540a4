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
