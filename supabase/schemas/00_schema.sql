-- progressive-backfill keeps everything it creates in this one schema, so it installs beside an application's own
-- tables of any name. Nothing of it is in `public`.
--
-- The files in supabase/schemas/ are the source of truth, applied in file-name order they build the schema from
-- nothing. Every change to them also gets a new file in supabase/migrations/; test/sql/schema-matches-migrations.test.ts
-- fails when the two disagree.
create schema if not exists progressive_backfill;

-- The migration ledger. Every migration records its own version here as its last statement, so a database migrated
-- by `supabase db push` reports its version just like one migrated by `progressive-backfill migrate` (which also
-- stores each file's checksum, to refuse a file edited after it was applied).
create table if not exists progressive_backfill.schema_migrations (
  version text primary key,
  name text not null,
  checksum text,
  applied_at timestamptz not null default now()
);
alter table progressive_backfill.schema_migrations enable row level security;
