-- Who may do what, recomputed from scratch by every migration (its last statement but one): nobody but the owner,
-- except that service_role (the server-side key of Supabase's API) may use the schema and execute the contract's
-- functions, the ones named backfill_*; internal helpers have other names and are callable by nobody directly; roles
-- an operator named in grant_read read everything. Roles missing on this server (plain Postgres without Supabase's
-- roles) are skipped.
--
-- Why not default privileges: PUBLIC's EXECUTE on new functions is a global default that ALTER DEFAULT PRIVILEGES
-- IN SCHEMA cannot take away, and changing the global one would change the application's own functions.
create or replace function progressive_backfill.apply_privileges() returns void
language plpgsql set search_path = ''
as $$
declare
  v_role name;
  v_function regprocedure;
begin
  revoke all on schema progressive_backfill from public;
  revoke all on all tables in schema progressive_backfill from public;
  revoke all on all sequences in schema progressive_backfill from public;
  revoke all on all functions in schema progressive_backfill from public;
  for v_role in
    select rolname from pg_catalog.pg_roles where rolname in ('anon', 'authenticated', 'service_role')
  loop
    execute format('revoke all on schema progressive_backfill from %I', v_role);
    execute format('revoke all on all tables in schema progressive_backfill from %I', v_role);
    execute format('revoke all on all sequences in schema progressive_backfill from %I', v_role);
    execute format('revoke all on all functions in schema progressive_backfill from %I', v_role);
  end loop;

  if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    grant usage on schema progressive_backfill to service_role;
    for v_function in
      select p.oid::regprocedure
      from pg_catalog.pg_proc p
      where p.pronamespace = 'progressive_backfill'::regnamespace and p.proname like 'backfill\_%'
    loop
      execute format('grant execute on function %s to service_role', v_function);
    end loop;
  end if;

  -- Roles given read access keep it, on tables added since too (see grant_read).
  if to_regclass('progressive_backfill.readers') is not null then
    for v_role in
      select r.role_name from progressive_backfill.readers r join pg_catalog.pg_roles g on g.rolname = r.role_name
    loop
      perform progressive_backfill.grant_read(v_role);
    end loop;
  end if;
end
$$;
