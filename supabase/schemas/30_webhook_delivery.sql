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
