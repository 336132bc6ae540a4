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
