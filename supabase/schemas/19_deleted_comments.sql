-- Comments a webhook reported deleted. GitHub may deliver a comment's events out of order and redelivers for three
-- days, and it never reuses a comment's id: a creation or edit of a comment in this table is a late delivery and
-- must not bring it back. backfill_receive_comment_deletion forgets rows after a week.
create table progressive_backfill.deleted_comments (
  kind text not null check (kind in ('issue_comment', 'review_comment')),
  github_id bigint not null,
  deleted_at timestamptz not null default now(),
  primary key (kind, github_id)
);
create index deleted_comments_deleted_at_idx on progressive_backfill.deleted_comments (deleted_at);

alter table progressive_backfill.deleted_comments enable row level security;
