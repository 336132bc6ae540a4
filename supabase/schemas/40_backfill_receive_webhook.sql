-- One webhook delivery, applied once and whole: its id is recorded, the repository tracked (renamed only when the
-- delivery saw it after the stored name was set, see observe_repository) and its pull requests upserted, in one
-- transaction. A delivery id recorded before changes nothing and says so; a delivery that fails records nothing, so
-- its redelivery is applied.
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
  if p_delivery_id is null or p_delivery_id !~ '^[A-Za-z0-9-]{1,100}$' then
    raise exception 'invalid delivery id %', coalesce(quote_literal(left(p_delivery_id, 100)), 'null')
      using errcode = 'PB004';
  end if;
  if p_event is null or p_event !~ '^[a-z_]{1,100}$' then
    raise exception 'invalid event name %', coalesce(quote_literal(left(p_event, 100)), 'null') using errcode = 'PB004';
  end if;

  -- a concurrent receipt of the same id waits here for the first one's outcome
  insert into progressive_backfill.webhook_deliveries (delivery_id, event) values (p_delivery_id, p_event)
  on conflict (delivery_id) do nothing;
  if not found then
    return jsonb_build_object('duplicate', true, 'repository', null, 'nameApplied', false, 'inserted', 0, 'updated', 0);
  end if;

  select o.repository_id, o.name_applied into v_repository_id, v_name_applied
  from progressive_backfill.observe_repository(p_owner, p_name, p_github_id, p_node_id, null, null, p_observed_at) o;
  update progressive_backfill.webhook_deliveries set repository_id = v_repository_id where delivery_id = p_delivery_id;
  select u.inserted, u.updated into v_inserted, v_updated from progressive_backfill.upsert_prs(v_repository_id, p_prs) u;

  -- GitHub redelivers for three days: ids older than a week are forgotten, a few at a time, never waiting on a lock
  delete from progressive_backfill.webhook_deliveries
  where delivery_id in (
    select d.delivery_id from progressive_backfill.webhook_deliveries d
    where d.received_at < now() - interval '7 days'
    order by d.received_at
    limit 100
    for update skip locked);

  return jsonb_build_object(
    'duplicate', false,
    'repository', progressive_backfill.repository_json(v_repository_id),
    'nameApplied', v_name_applied,
    'inserted', v_inserted,
    'updated', v_updated);
end
$$;
