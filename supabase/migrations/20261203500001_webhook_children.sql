-- Webhooks for reviews and comments (issue 11 item 3): pull_request_review, pull_request_review_comment and
-- issue_comment deliveries write the product's reviews, comments and contributors as the backfill would, each in one
-- transaction with its delivery's record; deleted comments are remembered so a late delivery cannot bring them back.

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

-- A delivery's X-GitHub-Delivery id and event name, checked before anything is read or written.
create or replace function progressive_backfill.check_webhook_delivery(p_delivery_id text, p_event text)
returns void
language plpgsql immutable security definer set search_path = ''
as $$
begin
  if p_delivery_id is null or p_delivery_id !~ '^[A-Za-z0-9-]{1,100}$' then
    raise exception 'invalid delivery id %', coalesce(quote_literal(left(p_delivery_id, 100)), 'null')
      using errcode = 'PB004';
  end if;
  if p_event is null or p_event !~ '^[a-z_]{1,100}$' then
    raise exception 'invalid event name %', coalesce(quote_literal(left(p_event, 100)), 'null') using errcode = 'PB004';
  end if;
end
$$;

-- The delivery half of every webhook transition, run inside it: checks the delivery id and event name and records
-- the delivery, unless it was recorded before (false: the caller then changes nothing). A concurrent receipt of the
-- same id waits here for the first one's outcome, and a delivery whose transaction fails records nothing, so its
-- redelivery is applied. GitHub redelivers for three days: ids older than a week are forgotten, a few at a time,
-- never waiting on a lock.
create or replace function progressive_backfill.record_webhook_delivery(p_delivery_id text, p_event text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  perform progressive_backfill.check_webhook_delivery(p_delivery_id, p_event);
  insert into progressive_backfill.webhook_deliveries (delivery_id, event) values (p_delivery_id, p_event)
  on conflict (delivery_id) do nothing;
  if not found then
    return false;
  end if;

  delete from progressive_backfill.webhook_deliveries
  where delivery_id in (
    select d.delivery_id from progressive_backfill.webhook_deliveries d
    where d.received_at < now() - interval '7 days'
    order by d.received_at
    limit 100
    for update skip locked);
  return true;
end
$$;

-- The tracked repository a delivery about reviews or comments belongs to, or null: by GitHub id, or by name when
-- the stored row has no id yet. Unlike a pull_request delivery, such a delivery never starts tracking a repository
-- (it carries no pull request to store, and its children need their pull request stored first).
create or replace function progressive_backfill.webhook_repository(p_github_id bigint, p_owner text, p_name text)
returns bigint
language sql stable security definer set search_path = ''
as $$
  select r.id
  from progressive_backfill.repositories r
  where r.tracked
    and (r.github_id = p_github_id
         or (r.github_id is null and lower(r.full_name) = lower(p_owner || '/' || p_name)))
  order by r.github_id is null
  limit 1
$$;

-- One pull_request delivery, applied once and whole: its id is recorded (record_webhook_delivery), the repository
-- tracked (renamed only when the delivery saw it after the stored name was set, see observe_repository) and its pull
-- requests upserted, in one transaction. A delivery id recorded before changes nothing and says so; a delivery that
-- fails records nothing, so its redelivery is applied.
create or replace function progressive_backfill.backfill_receive_webhook(
  p_delivery_id text,
  p_event text,
  p_owner text,
  p_name text,
  p_github_id bigint,
  p_node_id text,
  p_observed_at timestamptz,
  p_prs jsonb
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
  v_name_applied boolean;
  v_inserted int;
  v_updated int;
begin
  if not progressive_backfill.record_webhook_delivery(p_delivery_id, p_event) then
    return jsonb_build_object('duplicate', true, 'repository', null, 'nameApplied', false, 'inserted', 0, 'updated', 0);
  end if;

  select o.repository_id, o.name_applied into v_repository_id, v_name_applied
  from progressive_backfill.observe_repository(p_owner, p_name, p_github_id, p_node_id, null, null, p_observed_at) o;
  update progressive_backfill.webhook_deliveries set repository_id = v_repository_id where delivery_id = p_delivery_id;
  select u.inserted, u.updated into v_inserted, v_updated from progressive_backfill.upsert_prs(v_repository_id, p_prs) u;

  return jsonb_build_object(
    'duplicate', false,
    'repository', progressive_backfill.repository_json(v_repository_id),
    'nameApplied', v_name_applied,
    'inserted', v_inserted,
    'updated', v_updated);
end
$$;

-- One pull_request_review, pull_request_review_comment or issue_comment delivery that creates or edits a review or
-- a comment: the author and the row are written as a page of the backfill would write them (upsert_contributors,
-- upsert_children: an older version never overwrites a newer one, the row is stamped with its pull request's current
-- children sync), in one transaction with the delivery's record, so it is applied once.
--
-- It is acknowledged and changes nothing, recording no delivery (so a redelivery after a backfill stored what it
-- needs is applied), when the repository is not tracked, the pull request (by GitHub id, or by number for an issue
-- comment: the issue's id is not the pull request's) is not stored, a review comment's review is not stored (GitHub
-- does not order the deliveries of a review and its comments; the refresh brings it, the pull request's updatedAt
-- moved), the comment was deleted (a late delivery), or the review is PENDING (never stored).
-- p_review is a `reviews` row, p_comment a `comments` row, as JSON, without pull_request_github_id; exactly one.
create or replace function progressive_backfill.backfill_receive_child(
  p_delivery_id text,
  p_event text,
  p_repository_github_id bigint,
  p_owner text,
  p_name text,
  p_pull_request_github_id bigint,
  p_pull_request_number int,
  p_contributors jsonb,
  p_review jsonb,
  p_comment jsonb
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
  v_pull_request_id bigint;
  v_pull_request_github_id bigint;
  v_child jsonb := coalesce(p_review, p_comment);
  v_github_id bigint;
  v_review_github_id bigint;
  v_written int;
begin
  perform progressive_backfill.check_webhook_delivery(p_delivery_id, p_event);
  if (p_review is null) = (p_comment is null) or jsonb_typeof(v_child) <> 'object' then
    raise exception 'a delivery brings exactly one review or one comment, as a JSON object' using errcode = 'PB004';
  end if;
  begin
    v_github_id := (v_child ->> 'github_id')::bigint;
    v_review_github_id := (p_comment ->> 'review_github_id')::bigint;
  exception when invalid_text_representation or numeric_value_out_of_range then
    raise exception 'invalid review or comment id: %', sqlerrm using errcode = 'PB004';
  end;

  v_repository_id := progressive_backfill.webhook_repository(p_repository_github_id, p_owner, p_name);
  if v_repository_id is null then
    return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'repository not tracked');
  end if;
  select pr.id, pr.github_id into v_pull_request_id, v_pull_request_github_id
  from progressive_backfill.pull_requests pr
  where pr.repository_id = v_repository_id
    and (pr.github_id = p_pull_request_github_id
         or (p_pull_request_github_id is null and pr.number = p_pull_request_number));
  if v_pull_request_id is null then
    return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'pull request not stored');
  end if;
  if p_review ->> 'state' = 'PENDING' then
    return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'pending review');
  end if;
  if p_comment is not null then
    if exists (
      select from progressive_backfill.deleted_comments d
      where d.kind = p_comment ->> 'kind' and d.github_id = v_github_id) then
      return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'comment deleted');
    end if;
    if v_review_github_id is not null and not exists (
      select from progressive_backfill.reviews v
      where v.github_id = v_review_github_id and v.pull_request_id = v_pull_request_id) then
      return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'review not stored');
    end if;
  end if;

  if not progressive_backfill.record_webhook_delivery(p_delivery_id, p_event) then
    return jsonb_build_object('duplicate', true, 'applied', false, 'ignored', null);
  end if;
  update progressive_backfill.webhook_deliveries set repository_id = v_repository_id where delivery_id = p_delivery_id;

  v_child := v_child || jsonb_build_object('pull_request_github_id', v_pull_request_github_id);
  begin
    perform progressive_backfill.upsert_contributors(p_contributors);
  exception when check_violation or not_null_violation or invalid_text_representation
    or numeric_value_out_of_range or cardinality_violation or invalid_parameter_value then
    raise exception 'invalid contributor: %', sqlerrm using errcode = 'PB004';
  end;
  if p_review is not null then
    -- a webhook's review carries no creation time (only submitted_at): the one stored from GraphQL is kept
    v_child := v_child || coalesce(
      (select jsonb_build_object('created_at', v.created_at)
       from progressive_backfill.reviews v where v.github_id = v_github_id),
      '{}'::jsonb);
    v_written := progressive_backfill.upsert_children(v_repository_id, jsonb_build_array(v_child), null);
  else
    v_written := progressive_backfill.upsert_children(v_repository_id, null, jsonb_build_array(v_child));
  end if;
  return jsonb_build_object('duplicate', false, 'applied', v_written > 0, 'ignored', null);
end
$$;

-- One pull_request_review_comment or issue_comment delivery that deletes a comment: the row goes, and the comment is
-- remembered as deleted (deleted_comments) so that a late delivery of its creation or an edit cannot bring it back,
-- in one transaction with the delivery's record. A repository that is not tracked is acknowledged and changes
-- nothing. Remembered deletions older than a week are forgotten, a few at a time, never waiting on a lock.
create or replace function progressive_backfill.backfill_receive_comment_deletion(
  p_delivery_id text,
  p_event text,
  p_repository_github_id bigint,
  p_owner text,
  p_name text,
  p_kind text,
  p_github_id bigint
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_repository_id bigint;
  v_deleted int;
begin
  perform progressive_backfill.check_webhook_delivery(p_delivery_id, p_event);
  if p_kind is null or p_kind not in ('issue_comment', 'review_comment') or p_github_id is null then
    raise exception 'a deletion names a comment: kind issue_comment or review_comment, and its id'
      using errcode = 'PB004';
  end if;
  v_repository_id := progressive_backfill.webhook_repository(p_repository_github_id, p_owner, p_name);
  if v_repository_id is null then
    return jsonb_build_object('duplicate', false, 'applied', false, 'ignored', 'repository not tracked');
  end if;
  if not progressive_backfill.record_webhook_delivery(p_delivery_id, p_event) then
    return jsonb_build_object('duplicate', true, 'applied', false, 'ignored', null);
  end if;
  update progressive_backfill.webhook_deliveries set repository_id = v_repository_id where delivery_id = p_delivery_id;

  delete from progressive_backfill.comments c
  using progressive_backfill.pull_requests pr
  where c.kind = p_kind and c.github_id = p_github_id
    and pr.id = c.pull_request_id and pr.repository_id = v_repository_id;
  get diagnostics v_deleted = row_count;
  insert into progressive_backfill.deleted_comments (kind, github_id) values (p_kind, p_github_id)
  on conflict (kind, github_id) do nothing;

  delete from progressive_backfill.deleted_comments
  where (kind, github_id) in (
    select d.kind, d.github_id from progressive_backfill.deleted_comments d
    where d.deleted_at < now() - interval '7 days'
    order by d.deleted_at
    limit 100
    for update skip locked);
  return jsonb_build_object('duplicate', false, 'applied', v_deleted > 0, 'ignored', null);
end
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261203500001', 'webhook_children')
on conflict (version) do nothing;
