-- A view runs with the reader's rights (security_invoker), so the tables' row-level security decides what it shows.
-- Chunks that need a human: failed for good, or stalled after too many expired leases.
create view progressive_backfill.backfill_problem_chunks with (security_invoker = true) as
select
  c.id as chunk_id,
  c.repository_id,
  r.full_name,
  c.chunk_number,
  c.status,
  s.status as backfill_status,
  c.attempts,
  c.failures,
  c.requeues,
  c.last_error,
  c.start_cursor,
  c.end_cursor,
  c.started_at,
  c.finished_at,
  c.run_id
from progressive_backfill.backfill_chunks c
join progressive_backfill.repositories r on r.id = c.repository_id
join progressive_backfill.backfill_state s on s.repository_id = c.repository_id
where c.status in ('failed', 'stalled');
