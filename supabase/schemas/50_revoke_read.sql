-- Takes back what grant_read gave: the role's policies, its select on tables and views, its use of the schema.
--
--   select progressive_backfill.revoke_read('dashboard_reader');
create or replace function progressive_backfill.revoke_read(p_role name) returns void
language plpgsql set search_path = ''
as $$
declare
  v_policy record;
begin
  if p_role is null or p_role = 'service_role' then
    raise exception 'give the role grant_read was given' using errcode = 'PB004';
  end if;
  delete from progressive_backfill.readers where role_name = p_role;
  for v_policy in
    select p.polname, p.polrelid::regclass as relation
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    where c.relnamespace = 'progressive_backfill'::regnamespace and p.polname = left('read_' || p_role, 63)
  loop
    execute format('drop policy %I on %s', v_policy.polname, v_policy.relation);
  end loop;
  if exists (select from pg_catalog.pg_roles where rolname = p_role) then
    execute format('revoke select on all tables in schema progressive_backfill from %I', p_role);
    execute format('revoke usage on schema progressive_backfill from %I', p_role);
  end if;
end
$$;
