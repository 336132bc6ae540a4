-- Leases that expired (the worker died or hung) go back to pending a limited number of times, then the chunk and
-- its backfill are marked stalled: visible in backfill_problem_chunks, never silently dropped. Runs that stopped
-- heart-beating are marked interrupted.
create or replace function progressive_backfill.backfill_recover_stuck_chunks(
  p_requeue_limit int default 3,
  p_grace_seconds int default 60,
  p_run_stale_seconds int default 900
) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_requeued int;
  v_stalled int;
  v_runs int;
begin
  if p_requeue_limit is null or p_requeue_limit < 0 or p_grace_seconds is null or p_grace_seconds < 0
     or p_run_stale_seconds is null or p_run_stale_seconds < 0 then
    raise exception 'requeue limit, grace and run staleness must be >= 0' using errcode = 'PB004';
  end if;

  with stuck as (
    select c.id, c.repository_id, c.requeues
    from progressive_backfill.backfill_chunks c
    join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
    where c.status = 'running' and c.lease_expires_at < now() - make_interval(secs => p_grace_seconds)
    for update of c, s skip locked
  ),
  requeued as (
    update progressive_backfill.backfill_chunks c
    set status = 'pending', requeues = c.requeues + 1, lease_owner = null, lease_expires_at = null, run_at = now()
    from stuck
    where c.id = stuck.id and stuck.requeues < p_requeue_limit
    returning c.id
  ),
  stalled as (
    update progressive_backfill.backfill_chunks c
    set status = 'stalled', finished_at = now(), lease_owner = null, lease_expires_at = null,
        last_error = format('lease expired %s times (requeue limit %s): stalled until someone restarts it',
                            stuck.requeues + 1, p_requeue_limit)
    from stuck
    where c.id = stuck.id and stuck.requeues >= p_requeue_limit
    returning c.repository_id, c.last_error
  ),
  stalled_states as (
    update progressive_backfill.backfill_state s
    set status = 'stalled', last_error = stalled.last_error, pause_reason = null, resume_at = null,
        updated_at = now()
    from stalled
    where s.repository_id = stalled.repository_id
    returning 1
  )
  select (select count(*) from requeued), (select count(*) from stalled)
  into v_requeued, v_stalled;

  update progressive_backfill.backfill_runs
  set outcome = 'interrupted', finished_at = now(),
      error_summary = coalesce(error_summary,
        jsonb_build_object('reason', format('no heartbeat for more than %s seconds', p_run_stale_seconds)))
  where outcome = 'running' and heartbeat_at < now() - make_interval(secs => p_run_stale_seconds);
  get diagnostics v_runs = row_count;

  return jsonb_build_object('requeued', v_requeued, 'stalled', v_stalled, 'runsInterrupted', v_runs);
end
$$;
