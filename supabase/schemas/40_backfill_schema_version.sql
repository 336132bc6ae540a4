-- The newest migration applied (its 14-digit version as a number); the code compares it with the newest migration
-- it depends on, so a database that needs `progressive-backfill migrate` says so before anything else runs.
create or replace function progressive_backfill.backfill_schema_version() returns bigint
language sql stable security definer set search_path = ''
as $$ select max(version)::bigint from progressive_backfill.schema_migrations $$;
