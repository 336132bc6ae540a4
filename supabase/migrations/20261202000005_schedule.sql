-- Schedules the backfill inside the database with pg_cron (Supabase's documented "Scheduling Edge Functions"
-- pattern):
--
--   progressive-backfill-tick      every minute: pg_net POSTs to the backfill-tick Edge Function, with the project
--                                  URL and the bearer key read from Vault at run time (never stored in cron.job).
--                                  The body asks for background mode: the function answers 202 at once and keeps
--                                  working under EdgeRuntime.waitUntil, so pg_net's short timeout never cuts a run.
--   progressive-backfill-recover   every 5 minutes: plain SQL, `progressive_backfill.backfill_recover_stuck_chunks()`.
--
-- Recovery is a pure SQL job rather than a `recover-stuck-chunks` Edge Function: it is a single statement on the
-- database's own data, so an HTTP hop would only add failure modes (pg_net, Vault secrets, the function's cold start,
-- a key in flight) and cost, and it keeps working even when the functions are not deployed or GitHub is down.
--
-- Portable: the project's migration runner applies every file to any Postgres (plain Postgres, PGlite, Supabase).
-- Where pg_cron cannot be created (not installed, not preloaded, or not the cron.database_name database) nothing is
-- scheduled and the migration still succeeds; the tick job additionally needs pg_net and Vault. Re-applying is
-- safe: cron.schedule upserts a job by name (which also repoints a job the public-schema release scheduled).
--
-- Before the tick job can do anything, store two Vault secrets (the job skips its call while either is missing):
--   select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--   select vault.create_secret('<service role key>', 'service_role_key');
-- A dedicated `backfill_tick_secret` in Vault (the same value as the function's BACKFILL_TICK_SECRET) is preferred
-- over the service role key when present.
--
-- Replaces 20261202000002_schedule, which stopped a role that is not a superuser (Supabase's `postgres`, or any
-- installer without pg_read_all_settings) at reading cron.database_name. Scheduling is upserted by job name, so a
-- database that applied that file gets the same jobs again. A role that may not use pg_cron is told so and skipped.
do $schedule$
declare
  can_schedule boolean := false;
  can_call_functions boolean := false;
  cron_database text;
begin
  begin
    cron_database := coalesce(current_setting('cron.database_name', true), 'postgres');
  exception when insufficient_privilege then
    -- Not ours to read: try here, and let pg_cron refuse if this is not its database.
    cron_database := current_database();
  end;
  if exists (select from pg_available_extensions where name = 'pg_cron') and cron_database = current_database() then
    begin
      create extension if not exists pg_cron;
      can_schedule := true;
    exception when others then
      -- e.g. pg_cron installed but not in shared_preload_libraries
      raise notice 'progressive-backfill: pg_cron is unavailable here (%); no jobs scheduled', sqlerrm;
    end;
  else
    raise notice 'progressive-backfill: pg_cron is not available in this database; no jobs scheduled';
  end if;

  if not can_schedule then
    return;
  end if;

  begin
    perform cron.schedule(
      'progressive-backfill-recover',
      '*/5 * * * *',
      $job$select progressive_backfill.backfill_recover_stuck_chunks()$job$
    );

    if exists (select from pg_available_extensions where name = 'pg_net') then
      begin
        create extension if not exists pg_net;
      exception when others then
        raise notice 'progressive-backfill: pg_net could not be created (%)', sqlerrm;
      end;
    end if;

    can_call_functions := to_regnamespace('net') is not null
      and exists (
        select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'net' and p.proname = 'http_post'
      )
      and to_regclass('vault.decrypted_secrets') is not null;

    if not can_call_functions then
      raise notice 'progressive-backfill: pg_net or Vault missing; the backfill-tick job is not scheduled';
      return;
    end if;

    perform cron.schedule(
      'progressive-backfill-tick',
      '* * * * *',
      $job$
      select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url')
          || '/functions/v1/backfill-tick',
        headers := jsonb_build_object(
          'Content-Type', 'application/json',
          'Authorization', 'Bearer ' || coalesce(
            (select decrypted_secret from vault.decrypted_secrets where name = 'backfill_tick_secret'),
            (select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')
          )
        ),
        body := '{"background": true}'::jsonb,
        timeout_milliseconds := 5000
      ) as request_id
      where exists (select from vault.decrypted_secrets where name = 'project_url')
        and exists (
          select from vault.decrypted_secrets where name in ('backfill_tick_secret', 'service_role_key')
        )
      $job$
    );
  exception when insufficient_privilege then
    raise notice 'progressive-backfill: this role may not use pg_cron (%); no jobs scheduled', sqlerrm;
  end;
end
$schedule$;

insert into progressive_backfill.schema_migrations (version, name) values ('20261202000005', 'schedule')
on conflict (version) do nothing;
