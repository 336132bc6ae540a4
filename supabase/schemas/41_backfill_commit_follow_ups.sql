-- A follow-up request's pages in one transaction: each page's rows, the follow-ups it reveals, and its task's new
-- cursor (or the task's end), compare-and-set per page: a page whose task is gone or has moved on (a replayed
-- call, or a re-sync that restarted the pull request's children) is skipped, never applied twice. Inside a
-- backfill the chunk's lease fences the call and is extended; the refresh (no chunk) passes null for both.
-- When p_walk_done and no follow-up of the repository remains, the chunk and the backfill complete here.
--
-- p_pages: [{kind, node_id, expected_cursor, next_cursor (null: done), contributors, reviews, comments, labels,
-- follow_ups}]
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
  v_page jsonb;
  v_task progressive_backfill.child_follow_ups;
  v_applied int := 0;
  v_skipped int := 0;
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

  for v_page in select value from jsonb_array_elements(p_pages) loop
    select * into v_task from progressive_backfill.child_follow_ups
    where repository_id = p_repository_id and kind = v_page ->> 'kind' and node_id = v_page ->> 'node_id'
    for update;
    if not found or v_task.cursor is distinct from (v_page ->> 'expected_cursor') then
      v_skipped := v_skipped + 1;
      continue;
    end if;
    perform progressive_backfill.upsert_contributors(v_page -> 'contributors');
    v_written := v_written + progressive_backfill.upsert_children(
      p_repository_id, v_page -> 'reviews', v_page -> 'comments');
    if jsonb_typeof(v_page -> 'labels') = 'array' then
      update progressive_backfill.pull_requests pr
      set labels = coalesce(pr.labels, '[]'::jsonb) || coalesce((
        select jsonb_agg(l.value order by l.ordinality)
        from jsonb_array_elements(v_page -> 'labels') with ordinality l
        where not coalesce(pr.labels, '[]'::jsonb) @> jsonb_build_array(l.value)), '[]'::jsonb)
      where pr.id = v_task.pull_request_id;
    end if;
    perform progressive_backfill.add_follow_ups(p_repository_id, v_page -> 'follow_ups', array[v_task.pull_request_id]);
    if v_page ->> 'next_cursor' is null then
      delete from progressive_backfill.child_follow_ups where id = v_task.id;
    else
      update progressive_backfill.child_follow_ups set cursor = v_page ->> 'next_cursor' where id = v_task.id;
    end if;
    v_prs := v_prs || v_task.pull_request_id;
    v_applied := v_applied + 1;
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
    'applied', v_applied, 'skipped', v_skipped, 'written', v_written, 'remaining', v_remaining,
    'completed', v_completed);
end
$$;
