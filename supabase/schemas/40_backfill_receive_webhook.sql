-- One pull_request delivery, applied once and whole: its id is recorded (record_webhook_delivery), the repository
-- tracked (renamed only when the delivery saw it after the stored name was set, see observe_repository) and its pull
-- requests upserted, in one transaction. A delivery id recorded before changes nothing and says so; a delivery that
-- fails records nothing, so its redelivery is applied. A scoped backfill keeps its scope exact here as its refresh
-- does: a pull request outside the scope is not stored, and a stored one that left it is deleted.
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
  v_scope jsonb;
  v_kept jsonb;
  v_left jsonb;
  v_removed int;
begin
  if not progressive_backfill.record_webhook_delivery(p_delivery_id, p_event) then
    return jsonb_build_object('duplicate', true, 'repository', null, 'nameApplied', false, 'inserted', 0, 'updated', 0);
  end if;

  select o.repository_id, o.name_applied into v_repository_id, v_name_applied
  from progressive_backfill.observe_repository(p_owner, p_name, p_github_id, p_node_id, null, null, p_observed_at) o;
  update progressive_backfill.webhook_deliveries set repository_id = v_repository_id where delivery_id = p_delivery_id;
  perform progressive_backfill.check_prs(p_prs);
  select s.scope into v_scope from progressive_backfill.backfill_state s where s.repository_id = v_repository_id;
  begin
    select coalesce(jsonb_agg(e) filter (where progressive_backfill.pr_in_scope(v_scope, e)), '[]'::jsonb),
           coalesce(jsonb_agg(e) filter (where not progressive_backfill.pr_in_scope(v_scope, e)), '[]'::jsonb)
    into v_kept, v_left
    from jsonb_array_elements(p_prs) e;
  exception
    when invalid_datetime_format or datetime_field_overflow then
      raise exception 'invalid pull request: %', sqlerrm using errcode = 'PB004';
  end;
  select u.inserted, u.updated into v_inserted, v_updated from progressive_backfill.upsert_prs(v_repository_id, v_kept) u;
  v_removed := progressive_backfill.delete_left_scope(v_repository_id, v_left);

  return jsonb_build_object(
    'duplicate', false,
    'repository', progressive_backfill.repository_json(v_repository_id),
    'nameApplied', v_name_applied,
    'inserted', v_inserted,
    'updated', v_updated,
    'removed', v_removed);
end
$$;
