-- Webhook deliveries applied once (by X-GitHub-Delivery), renames ordered by when they were observed so a late
-- delivery cannot undo a newer one, and owners with Enterprise Managed Users' `_shortcode` accepted. The schema
-- files changed: 10_repositories.sql (name_observed_at), 16_webhook_deliveries.sql, 30_observe_repository.sql,
-- 40_backfill_track_repository.sql (now through observe_repository), 40_backfill_receive_webhook.sql.

-- ===== 10_repositories.sql (the new column) =====
alter table progressive_backfill.repositories add column if not exists name_observed_at timestamptz;

-- ===== 16_webhook_deliveries.sql =====
-- Every webhook delivery applied, by GitHub's X-GitHub-Delivery GUID (a redelivery carries the same one), so each
-- is applied once. GitHub redelivers for at most three days; backfill_receive_webhook forgets ids after a week.
create table if not exists progressive_backfill.webhook_deliveries (
  delivery_id text primary key,
  event text not null,
  repository_id bigint references progressive_backfill.repositories (id) on delete set null,
  received_at timestamptz not null default now()
);
create index if not exists webhook_deliveries_received_at_idx on progressive_backfill.webhook_deliveries (received_at);

alter table progressive_backfill.webhook_deliveries enable row level security;

-- ===== 30_observe_repository.sql =====
-- Tracks a repository under the name it had when it was observed (`p_observed_at`): a lookup on GitHub observes it
-- now, a webhook delivery when its payload was written. A known GitHub id under another name is the same repository,
-- renamed, and the rename is applied only when this observation is not older than the one that set the stored name,
-- so a late or out-of-order delivery cannot undo a newer rename. Everything else given is stored either way.
create or replace function progressive_backfill.observe_repository(
  p_owner text,
  p_name text,
  p_github_id bigint,
  p_node_id text,
  p_pr_total_count int,
  p_priority int,
  p_observed_at timestamptz,
  out repository_id bigint,
  out name_applied boolean
)
language plpgsql security definer set search_path = ''
as $$
begin
  -- letters, digits and hyphens; underscores for Enterprise Managed Users (`handle_shortcode`)
  if p_owner is null or p_owner !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$' then
    raise exception 'invalid repository owner %', coalesce(quote_literal(p_owner), 'null') using errcode = 'PB004';
  end if;
  if p_name is null or p_name !~ '^[A-Za-z0-9._-]{1,100}$' or p_name in ('.', '..') then
    raise exception 'invalid repository name %', coalesce(quote_literal(p_name), 'null') using errcode = 'PB004';
  end if;
  if p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;
  if p_observed_at is null then
    raise exception 'the time the repository was observed is required' using errcode = 'PB004';
  end if;

  if p_github_id is not null then
    select r.id, r.name_observed_at is null or p_observed_at >= r.name_observed_at
    into repository_id, name_applied
    from progressive_backfill.repositories r
    where r.github_id = p_github_id
    for update;
    if found then
      update progressive_backfill.repositories
      set owner = case when name_applied then p_owner else owner end,
          name = case when name_applied then p_name else name end,
          name_observed_at = case when name_applied then p_observed_at else name_observed_at end,
          node_id = coalesce(p_node_id, node_id),
          pr_total_count = coalesce(p_pr_total_count, pr_total_count),
          pr_total_count_at = case when p_pr_total_count is not null then now() else pr_total_count_at end,
          priority = coalesce(p_priority, priority),
          tracked = true,
          updated_at = now()
      where id = repository_id;
    end if;
  end if;

  if repository_id is null then
    insert into progressive_backfill.repositories as r
      (owner, name, github_id, node_id, pr_total_count, pr_total_count_at, priority, name_observed_at)
    values (p_owner, p_name, p_github_id, p_node_id, p_pr_total_count,
            case when p_pr_total_count is not null then now() end, coalesce(p_priority, 0), p_observed_at)
    on conflict (lower(full_name)) do update set
      github_id = coalesce(excluded.github_id, r.github_id),
      node_id = coalesce(excluded.node_id, r.node_id),
      pr_total_count = coalesce(excluded.pr_total_count, r.pr_total_count),
      pr_total_count_at = coalesce(excluded.pr_total_count_at, r.pr_total_count_at),
      priority = coalesce(p_priority, r.priority),
      name_observed_at = greatest(r.name_observed_at, excluded.name_observed_at),
      tracked = true,
      updated_at = now()
    returning r.id into repository_id;
    name_applied := true;
  end if;

  insert into progressive_backfill.backfill_state (repository_id) values (repository_id)
  on conflict on constraint backfill_state_pkey do nothing;
end
$$;

-- ===== 40_backfill_track_repository.sql =====
-- A lookup on GitHub (the CLI's `track`, the engine's selection) sees the repository as it is now: the newest view of
-- its name there is. The rules (names GitHub accepts, renames by GitHub id) are observe_repository's.
create or replace function progressive_backfill.backfill_track_repository(
  p_owner text,
  p_name text,
  p_github_id bigint default null,
  p_node_id text default null,
  p_pr_total_count int default null,
  p_priority int default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  select o.repository_id into v_id
  from progressive_backfill.observe_repository(
    p_owner, p_name, p_github_id, p_node_id, p_pr_total_count, p_priority, now()) o;
  return progressive_backfill.repository_json(v_id);
end
$$;

-- ===== 40_backfill_receive_webhook.sql =====
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

-- ===== 99_privileges.sql =====
select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202200001', 'webhook_deliveries')
on conflict (version) do nothing;
