-- Gives a role of the operator's choice (a dashboard's) read access to everything the product stores: usage on the
-- schema, select on every table and view, and on every table a policy showing it all rows. anon and authenticated
-- read nothing unless they are named here. Run it as the role that ran the migrations (on Supabase, `postgres` in
-- the SQL editor); nobody else may execute it. Repeating it changes nothing.
--
--   select progressive_backfill.grant_read('dashboard_reader');
create or replace function progressive_backfill.grant_read(p_role name) returns void
language plpgsql set search_path = ''
as $$
declare
  v_table regclass;
  v_policy name := left('read_' || p_role, 63);
begin
  if p_role is null or not exists (select from pg_catalog.pg_roles where rolname = p_role) then
    raise exception 'role % does not exist: create it first', coalesce(quote_ident(p_role), 'null')
      using errcode = 'PB004';
  end if;
  if p_role = 'service_role' then
    raise exception 'service_role reaches the data through the backfill_* functions only' using errcode = 'PB004';
  end if;
  insert into progressive_backfill.readers (role_name) values (p_role) on conflict (role_name) do nothing;
  execute format('grant usage on schema progressive_backfill to %I', p_role);
  execute format('grant select on all tables in schema progressive_backfill to %I', p_role);
  for v_table in
    select c.oid::regclass
    from pg_catalog.pg_class c
    where c.relnamespace = 'progressive_backfill'::regnamespace and c.relkind in ('r', 'p')
      and not exists (select from pg_catalog.pg_policy p where p.polrelid = c.oid and p.polname = v_policy)
  loop
    execute format('create policy %I on %s for select to %I using (true)', v_policy, v_table, p_role);
  end loop;
end
$$;
