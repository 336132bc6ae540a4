-- Moves a database migrated by the public-schema releases (their files are kept in
-- test/fixtures/legacy-migrations/) into progressive_backfill: every row with its id, the identity counters and the
-- fencing-token sequence, so no id and no token is ever issued twice; then drops the old objects.
--
-- Recognised by this product's own distinctive objects (public.backfill_schema_version(), public.backfill_claim_chunk,
-- public.backfill_state, public.backfill_chunks, public.backfill_fencing_token_seq), never by generic names: an
-- application's own `repositories` or `pull_requests` in public are left alone. Anywhere else this does nothing.
-- Old tables are dropped without cascade: should an application's table reference one, the migration stops (and
-- rolls back) instead of dropping the application's constraint.
do $move$
declare
  v_table text;
  v_columns text;
  v_last bigint;
  v_called boolean;
  v_function regprocedure;
begin
  if to_regprocedure('public.backfill_schema_version()') is null
     or to_regprocedure('public.backfill_claim_chunk(text, integer, bigint, bigint)') is null
     or to_regclass('public.backfill_state') is null
     or to_regclass('public.backfill_chunks') is null
     or to_regclass('public.backfill_fencing_token_seq') is null then
    return;
  end if;
  raise notice 'progressive-backfill: moving the public-schema install into progressive_backfill';

  -- Parents before children (foreign keys); every column but the generated ones, ids included.
  foreach v_table in array array['repositories', 'pull_requests', 'backfill_state', 'backfill_runs', 'backfill_chunks']
  loop
    select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into v_columns
    from pg_catalog.pg_attribute a
    where a.attrelid = format('progressive_backfill.%I', v_table)::regclass
      and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
    execute format(
      'insert into progressive_backfill.%1$I (%2$s) overriding system value select %2$s from public.%1$I',
      v_table, v_columns);
    if v_table <> 'backfill_state' then -- the others have an identity id
      execute format('select last_value, is_called from %s', pg_get_serial_sequence(format('public.%I', v_table), 'id'))
        into v_last, v_called;
      perform setval(pg_get_serial_sequence(format('progressive_backfill.%I', v_table), 'id'), v_last, v_called);
    end if;
  end loop;
  select last_value, is_called into v_last, v_called from public.backfill_fencing_token_seq;
  perform setval('progressive_backfill.backfill_fencing_token_seq', v_last, v_called);

  drop view public.backfill_active_progress;
  drop view public.backfill_repository_progress;
  drop view public.backfill_problem_chunks;
  drop view public.backfill_repository_completion;
  for v_function in
    select p.oid::regprocedure
    from pg_catalog.pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and p.proname in (
        'backfill_schema_version', 'backfill_repository_json', 'backfill_state_json', 'backfill_check_prs',
        'backfill_upsert_prs', 'backfill_lock_chunk', 'backfill_assert_lease', 'backfill_open_next_chunk',
        'backfill_touch_run', 'backfill_track_repository', 'backfill_get_repository',
        'backfill_update_repository_counts', 'backfill_select_repositories', 'backfill_start_backfill',
        'backfill_claim_chunk', 'backfill_heartbeat', 'backfill_commit_page', 'backfill_complete_chunk',
        'backfill_release_chunk', 'backfill_fail_chunk', 'backfill_pause', 'backfill_resume',
        'backfill_close_open_chunks', 'backfill_cancel', 'backfill_fail_backfill', 'backfill_recover_stuck_chunks',
        'backfill_upsert_pull_requests', 'backfill_commit_refresh', 'backfill_start_run', 'backfill_finish_run',
        'backfill_progress', 'backfill_database_load')
  loop
    execute format('drop function %s', v_function);
  end loop;
  drop table public.backfill_chunks;
  drop table public.backfill_runs;
  drop table public.backfill_state;
  drop table public.pull_requests;
  drop table public.repositories;
  drop sequence public.backfill_fencing_token_seq;
  drop table if exists public.backfill_migrations;
end
$move$;

insert into progressive_backfill.schema_migrations (version, name) values ('20261202000004', 'move_from_public')
on conflict (version) do nothing;
