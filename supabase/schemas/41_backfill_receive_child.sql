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
