-- A scoped backfill's scope is kept exact by webhook deliveries too (issue 11 item 3, the refresh's rule): a
-- pull_request delivery outside the scope is not stored, and a stored pull request that left it is deleted, as the
-- refresh does; both now share delete_left_scope. (Numbered after the webhook migrations, whose
-- backfill_receive_webhook this one extends.)

-- Does a pull request (a page's JSON row) belong to a backfill's scope ({} for all; since, states, base)? The same
-- rule as inScope in src/domain/scope.ts (test/sql/pr-in-scope.test.ts holds them equal), for the writers that see
-- pull requests outside any walk: webhook deliveries.
create or replace function progressive_backfill.pr_in_scope(p_scope jsonb, p_pr jsonb) returns boolean
language sql immutable security definer set search_path = ''
as $$
  select (not coalesce(p_scope, '{}'::jsonb) ? 'states' or (p_scope -> 'states') ? (p_pr ->> 'state'))
     and (not coalesce(p_scope, '{}'::jsonb) ? 'base' or (p_scope ->> 'base') is not distinct from (p_pr ->> 'base_ref'))
     and (not coalesce(p_scope, '{}'::jsonb) ? 'since'
          or (p_pr ->> 'created_at')::timestamptz >= (p_scope ->> 'since')::timestamptz)
$$;

-- Deletes the stored pull requests of a repository that left its backfill's scope: p_prs lists them
-- ([{github_id, updated_at}, …]) as seen now; a stored version newer than that is kept (a later change may have
-- brought it back). Reviews, comments and follow-ups go with them; stored_pr_count follows. Returns how many went.
create or replace function progressive_backfill.delete_left_scope(p_repository_id bigint, p_prs jsonb) returns int
language plpgsql security definer set search_path = ''
as $$
declare
  v_removed int := 0;
begin
  if p_prs is null or jsonb_typeof(p_prs) <> 'array' then
    return 0;
  end if;
  begin
    with gone as (
      delete from progressive_backfill.pull_requests pr
      using jsonb_to_recordset(p_prs) as r(github_id bigint, updated_at timestamptz)
      where pr.repository_id = p_repository_id and pr.github_id = r.github_id and pr.updated_at <= r.updated_at
      returning pr.id
    )
    select count(*) into v_removed from gone;
  exception
    when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
      or numeric_value_out_of_range then
      raise exception 'invalid pull request that left the scope: %', sqlerrm using errcode = 'PB004';
  end;
  if v_removed > 0 then
    update progressive_backfill.repositories
    set stored_pr_count = greatest(0, stored_pr_count - v_removed), updated_at = now()
    where id = p_repository_id;
  end if;
  return v_removed;
end
$$;

-- One page of the incremental refresh, one transaction: the pull requests updated since the watermark, their
-- children, the stored pull requests that left the backfill's scope (deleted with their children), and the
-- refresh's position, compare-and-set like commit_page's cursor.
--
-- The refresh walks pullRequests(orderBy: UPDATED_AT DESC) from the newest down to the watermark. Its position is
-- stored with each page, so a run (or a 60-second tick) that stops before the watermark leaves the next run a place
-- to resume, not the top. Resuming is exact: GitHub's cursor of that ordering is a (updatedAt, id) position, so the
-- pull requests below it that did not change are still below it; one that changed after the refresh began moved to
-- the top with an updatedAt later than p_target_watermark (the newest updatedAt when the refresh began), and the
-- next refresh, which walks down to that target, lists it.
--
-- p_expected_cursor: the position the page was fetched from (null: the first page of a new refresh, allowed only
-- when none is in progress). p_next_cursor: where the refresh goes on (null: the page reached the watermark; the
-- watermark becomes the refresh's target and the position is cleared). A position older than the walk's completion
-- belongs to an earlier walk and counts as none. Another position than the expected one means another worker moved
-- (or finished) this refresh: PB002, and the caller stops. A replay of this holder's last page (its response was
-- lost) answers applied = false and writes nothing. There is no lease: nothing waits for a refresh that stopped,
-- and any run may resume it.
--
-- p_removed: [{github_id, updated_at}] of listed pull requests outside the backfill's scope; a stored one whose
-- version is not newer is deleted (reviews, comments and follow-ups go with it).
create or replace function progressive_backfill.backfill_commit_refresh(
  p_repository_id bigint,
  p_expected_cursor text,
  p_next_cursor text,
  p_target_watermark timestamptz,
  p_holder text,
  p_prs jsonb,
  p_points_spent int,
  p_removed jsonb default null,
  p_run_id bigint default null,
  p_children jsonb default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_state progressive_backfill.backfill_state;
  v_cursor text;
  v_inserted int;
  v_updated int;
  v_removed int := 0;
begin
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_holder is null or p_holder = '' then
    raise exception 'holder must be given' using errcode = 'PB004';
  end if;
  if p_expected_cursor is null and p_target_watermark is null then
    raise exception 'the first page of a refresh must give its target watermark' using errcode = 'PB004';
  end if;
  if p_removed is not null and jsonb_typeof(p_removed) <> 'array' then
    raise exception 'removed must be a JSON array' using errcode = 'PB004';
  end if;
  perform progressive_backfill.check_prs(p_prs);
  v_state := progressive_backfill.lock_state(p_repository_id);
  v_cursor := progressive_backfill.refresh_cursor_of(v_state);

  if p_next_cursor is not null and v_cursor = p_next_cursor and v_cursor is distinct from p_expected_cursor
     and v_state.refresh_holder = p_holder then
    return jsonb_build_object('applied', false, 'inserted', 0, 'updated', 0, 'removed', 0);
  end if;
  if v_cursor is distinct from p_expected_cursor then
    raise exception 'refresh conflict: repository % is being refreshed from another position', p_repository_id
      using errcode = 'PB002';
  end if;

  select u.inserted, u.updated into v_inserted, v_updated
  from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  perform progressive_backfill.store_page_children(p_repository_id, p_prs, p_children);

  v_removed := progressive_backfill.delete_left_scope(p_repository_id, p_removed);

  if p_next_cursor is null then
    update progressive_backfill.backfill_state
    set watermark = greatest(watermark,
          case when v_cursor is null then p_target_watermark else refresh_target_watermark end),
        refreshed_at = now(),
        refresh_cursor = null, refresh_target_watermark = null, refresh_started_at = null, refresh_holder = null
    where repository_id = p_repository_id;
  else
    update progressive_backfill.backfill_state
    set refresh_cursor = p_next_cursor,
        refresh_target_watermark = case when v_cursor is null then p_target_watermark else refresh_target_watermark end,
        refresh_started_at = case when v_cursor is null then now() else refresh_started_at end,
        refresh_holder = p_holder
    where repository_id = p_repository_id;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent,
      prs_written = prs_written + v_inserted + v_updated,
      updated_at = now()
  where repository_id = p_repository_id;

  if p_run_id is not null then
    perform progressive_backfill.touch_run(p_run_id, v_inserted + v_updated, p_points_spent);
  end if;
  return jsonb_build_object(
    'applied', true, 'inserted', v_inserted, 'updated', v_updated, 'removed', v_removed);
end
$$;

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

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261203510001', 'scope_kept_by_webhooks')
on conflict (version) do nothing;
