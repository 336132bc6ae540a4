-- Backfills that are not finished.
create view progressive_backfill.backfill_active_progress with (security_invoker = true) as
select * from progressive_backfill.backfill_repository_progress where status in ('active', 'paused', 'failed', 'stalled');
