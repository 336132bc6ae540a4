-- backfill_commit_follow_ups applies a request's pages set-based: a fixed number of statements per call (per batch of
-- pages that cannot depend on each other) instead of ~8 per page, with the same outcome as page after page.

-- A follow-up request's pages in one transaction: each page's rows, the follow-ups it reveals, and its task's new
-- cursor (or the task's end), compare-and-set per page: a page whose task is gone or has moved on (a replayed
-- call, or a re-sync that restarted the pull request's children) is skipped, never applied twice. Inside a
-- backfill the chunk's lease fences the call and is extended; the refresh (no chunk) passes null for both.
-- When p_walk_done and no follow-up of the repository remains, the chunk and the backfill complete here.
--
-- p_pages: [{kind, node_id, expected_cursor, next_cursor (null: done), contributors, reviews, comments, labels,
-- follow_ups}]
--
-- The pages apply as if one after another, in order, but set-based: a request of 100 pages costs a dozen statements,
-- not 800. Pages whose outcome cannot depend on each other form a batch, applied at once; a page starts a new batch
-- when its task is an earlier page's task (a replay inside the call, or a chain: the second page expects the cursor
-- the first one moves to) or one an earlier page reveals, or when it reveals an earlier page's task. The worker
-- sends each queued task once, so its calls are one batch. Inside a batch the rows of all its pages are upserted
-- together: that equals page after page because a child belongs to one connection (one task) and an account's
-- fields are the same in every page of one GitHub response; only pages that disagree on those would differ.
create or replace function progressive_backfill.backfill_commit_follow_ups(
  p_repository_id bigint,
  p_chunk_id bigint,
  p_fencing_token bigint,
  p_pages jsonb,
  p_points_spent int,
  p_walk_done boolean,
  p_lease_seconds int,
  p_run_id bigint default null
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
  v_starts int[];
  v_first int;
  v_last int;
  v_ords int[];
  v_tasks bigint[];
  v_task_prs bigint[];
  v_applied int := 0;
  v_written int := 0;
  v_prs bigint[] := '{}';
  v_remaining int;
  v_completed boolean := false;
begin
  if p_pages is null or jsonb_typeof(p_pages) <> 'array' then
    raise exception 'pages must be a JSON array' using errcode = 'PB004';
  end if;
  if p_points_spent is null or p_points_spent < 0 then
    raise exception 'points spent must be >= 0' using errcode = 'PB004';
  end if;
  if p_chunk_id is not null then
    if p_lease_seconds is null or p_lease_seconds <= 0 then
      raise exception 'lease seconds must be > 0' using errcode = 'PB004';
    end if;
    v_chunk := progressive_backfill.lock_lease(p_chunk_id, p_fencing_token);
    if v_chunk.repository_id <> p_repository_id then
      raise exception 'chunk % is not a chunk of repository %', p_chunk_id, p_repository_id using errcode = 'PB004';
    end if;
  else
    perform progressive_backfill.lock_state(p_repository_id);
  end if;

  -- Where batches start (1-based page numbers): the first page, and every page that shares a task with an earlier
  -- page (as its task or as a follow-up either one reveals).
  with pages as (
    select p.ord::int as ord, p.value ->> 'kind' as kind, p.value ->> 'node_id' as node_id, p.value -> 'follow_ups' as f
    from jsonb_array_elements(p_pages) with ordinality as p(value, ord)
  ),
  revealed as (
    select p.ord, r.value ->> 'kind' as kind, r.value ->> 'node_id' as node_id
    from pages p
    cross join lateral jsonb_array_elements(case when jsonb_typeof(p.f) = 'array' then p.f else '[]' end) as r(value)
  ),
  firsts as (
    select t.kind, t.node_id, min(t.ord) as first_seen, min(t.ord) filter (where t.page) as first_page
    from (select ord, kind, node_id, true as page from pages union all select ord, kind, node_id, false from revealed) t
    group by t.kind, t.node_id
  )
  select array_agg(distinct s.ord order by s.ord) into v_starts
  from (
    select 1 as ord where jsonb_array_length(p_pages) > 0
    union all
    select p.ord from pages p join firsts f using (kind, node_id) where f.first_seen < p.ord
    union all
    select r.ord from revealed r join firsts f using (kind, node_id) where f.first_page < r.ord
  ) s;

  for i in 1 .. coalesce(array_length(v_starts, 1), 0) loop
    v_first := v_starts[i];
    v_last := coalesce(v_starts[i + 1] - 1, jsonb_array_length(p_pages));

    -- Compare-and-set: lock the batch's tasks (in id order, as every caller does), keep the pages they expect.
    select coalesce(array_agg(t.ord order by t.ord), '{}'), coalesce(array_agg(t.id order by t.ord), '{}'),
      coalesce(array_agg(t.pull_request_id order by t.ord), '{}')
    into v_ords, v_tasks, v_task_prs
    from (
      select p.ord::int as ord, f.id, f.pull_request_id, f.cursor, p.value ->> 'expected_cursor' as expected
      from jsonb_array_elements(p_pages) with ordinality as p(value, ord)
      join progressive_backfill.child_follow_ups f
        on f.repository_id = p_repository_id and f.kind = p.value ->> 'kind' and f.node_id = p.value ->> 'node_id'
      where p.ord between v_first and v_last
      order by f.id
      for update of f
    ) t
    where t.cursor is not distinct from t.expected;
    continue when cardinality(v_ords) = 0;

    perform progressive_backfill.upsert_contributors((
      select jsonb_agg(c.value order by a.ord, c.ord)
      from unnest(v_ords) as a(ord)
      cross join lateral jsonb_array_elements(case
        when jsonb_typeof(p_pages -> (a.ord - 1) -> 'contributors') = 'array' then p_pages -> (a.ord - 1) -> 'contributors'
        else '[]' end) with ordinality as c(value, ord)));
    v_written := v_written + progressive_backfill.upsert_children(
      p_repository_id,
      (select jsonb_agg(r.value order by a.ord, r.ord)
       from unnest(v_ords) as a(ord)
       cross join lateral jsonb_array_elements(p_pages -> (a.ord - 1) -> 'reviews') with ordinality as r(value, ord)),
      (select jsonb_agg(c.value order by a.ord, c.ord)
       from unnest(v_ords) as a(ord)
       cross join lateral jsonb_array_elements(p_pages -> (a.ord - 1) -> 'comments') with ordinality as c(value, ord)));

    -- Labels are appended in page order, each once: one already there, or brought by an earlier page of the same
    -- pull request, is not appended again.
    update progressive_backfill.pull_requests pr
    set labels = coalesce(pr.labels, '[]'::jsonb) || coalesce((
      select jsonb_agg(l.value order by a.ord, l.ord)
      from unnest(v_ords, v_task_prs) as a(ord, pull_request_id)
      cross join lateral jsonb_array_elements(case
        when jsonb_typeof(p_pages -> (a.ord - 1) -> 'labels') = 'array' then p_pages -> (a.ord - 1) -> 'labels'
        else '[]' end) with ordinality as l(value, ord)
      where a.pull_request_id = pr.id
        and not coalesce(pr.labels, '[]'::jsonb) @> jsonb_build_array(l.value)
        and not exists (
          select from unnest(v_ords, v_task_prs) as e(ord, pull_request_id)
          where e.pull_request_id = pr.id and e.ord < a.ord
            and jsonb_typeof(p_pages -> (e.ord - 1) -> 'labels') = 'array'
            and p_pages -> (e.ord - 1) -> 'labels' @> jsonb_build_array(l.value))), '[]'::jsonb)
    where pr.id in (
      select b.pull_request_id from unnest(v_ords, v_task_prs) as b(ord, pull_request_id)
      where jsonb_typeof(p_pages -> (b.ord - 1) -> 'labels') = 'array');

    -- Follow-ups a page reveals, only for its own task's pull request; the first page to reveal one wins.
    begin
      insert into progressive_backfill.child_follow_ups (
        repository_id, pull_request_id, kind, node_id, review_github_id, cursor)
      select p_repository_id, pr.id, f.kind, f.node_id, f.review_github_id, f.cursor
      from unnest(v_ords, v_task_prs) as a(ord, pull_request_id)
      cross join lateral rows from (jsonb_to_recordset(case
        when jsonb_typeof(p_pages -> (a.ord - 1) -> 'follow_ups') = 'array' then p_pages -> (a.ord - 1) -> 'follow_ups'
        else '[]' end) as (
          kind text, node_id text, pull_request_github_id bigint, review_github_id bigint, cursor text))
        with ordinality as f(kind, node_id, pull_request_github_id, review_github_id, cursor, ord)
      join progressive_backfill.pull_requests pr
        on pr.github_id = f.pull_request_github_id and pr.repository_id = p_repository_id
      where pr.id = a.pull_request_id
      order by a.ord, f.ord
      on conflict (repository_id, kind, node_id) do nothing;
    exception
      when check_violation or not_null_violation or invalid_text_representation or numeric_value_out_of_range then
        raise exception 'invalid follow-up: %', sqlerrm using errcode = 'PB004';
    end;

    update progressive_backfill.child_follow_ups f
    set cursor = p_pages -> (a.ord - 1) ->> 'next_cursor'
    from unnest(v_ords, v_tasks) as a(ord, id)
    where f.id = a.id and p_pages -> (a.ord - 1) ->> 'next_cursor' is not null;
    delete from progressive_backfill.child_follow_ups f
    using unnest(v_ords, v_tasks) as a(ord, id)
    where f.id = a.id and p_pages -> (a.ord - 1) ->> 'next_cursor' is null;

    v_prs := v_prs || v_task_prs;
    v_applied := v_applied + cardinality(v_ords);
  end loop;
  perform progressive_backfill.finish_child_syncs(v_prs);

  select count(*) into v_remaining from progressive_backfill.child_follow_ups where repository_id = p_repository_id;
  v_completed := p_chunk_id is not null and coalesce(p_walk_done, false) and v_remaining = 0;

  if p_chunk_id is not null then
    update progressive_backfill.backfill_chunks
    set points_spent = points_spent + p_points_spent,
        heartbeat_at = now(),
        lease_expires_at = now() + make_interval(secs => p_lease_seconds)
    where id = p_chunk_id;
    if v_completed then
      perform progressive_backfill.complete_walk(p_chunk_id);
    end if;
  end if;
  update progressive_backfill.backfill_state
  set points_spent = points_spent + p_points_spent, consecutive_errors = 0, updated_at = now()
  where repository_id = p_repository_id;
  if coalesce(p_run_id, v_chunk.run_id) is not null then
    perform progressive_backfill.touch_run(coalesce(p_run_id, v_chunk.run_id), 0, p_points_spent);
  end if;

  return jsonb_build_object(
    'applied', v_applied, 'skipped', jsonb_array_length(p_pages) - v_applied, 'written', v_written,
    'remaining', v_remaining, 'completed', v_completed);
end
$$;

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261204100001', 'set_based_follow_ups')
on conflict (version) do nothing;
