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
