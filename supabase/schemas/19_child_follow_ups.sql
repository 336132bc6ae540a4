-- The connections of a pull request (labels, reviews, conversation comments) or of a review (its comments) that
-- did not fit in the page that listed them, and where each continues. Every follow-up page moves its own cursor
-- in the same transaction as its rows, so a crash resumes there. A backfill is not complete while any remain.
create table progressive_backfill.child_follow_ups (
  id bigint generated always as identity primary key,
  repository_id bigint not null references progressive_backfill.repositories (id) on delete cascade,
  pull_request_id bigint not null references progressive_backfill.pull_requests (id) on delete cascade,
  kind text not null check (kind in ('labels', 'reviews', 'comments', 'review_comments')),
  node_id text not null,
  review_github_id bigint,
  cursor text,
  created_at timestamptz not null default now(),
  unique (repository_id, kind, node_id),
  check ((kind = 'review_comments') = (review_github_id is not null))
);
create index child_follow_ups_repository_idx on progressive_backfill.child_follow_ups (repository_id, id);
create index child_follow_ups_pull_request_idx on progressive_backfill.child_follow_ups (pull_request_id);

alter table progressive_backfill.child_follow_ups enable row level security;
