-- Read access for a role of the operator's choice (grant_read / revoke_read, remembered in readers and kept by
-- apply_privileges), and pause / fail of a backfill fenced by the worker's lease like commits are.

-- Roles an operator gave read access with progressive_backfill.grant_read. apply_privileges grants them again after
-- every migration, so a table added later is readable too.
create table if not exists progressive_backfill.readers (
  role_name name primary key,
  granted_at timestamptz not null default now()
);
alter table progressive_backfill.readers enable row level security;

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

-- A worker acting on a whole backfill (pause, fail) proves that no other worker holds it now: the chunk it names is
-- the repository's, still carries the caller's token (nobody claimed it since), and no other chunk of the repository
-- is running; otherwise PB001, as for a commit. The lease need not be live any more: a worker pauses right after
-- failing its own chunk. An operator's call names no lease and is not checked. Call it after lock_state.
create or replace function progressive_backfill.assert_lease_of(
  p_repository_id bigint,
  p_chunk_id bigint,
  p_fencing_token bigint
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_chunk progressive_backfill.backfill_chunks;
begin
  if p_chunk_id is null and p_fencing_token is null then
    return;
  end if;
  if p_chunk_id is null or p_fencing_token is null then
    raise exception 'a lease is a chunk id and a fencing token: give both or neither' using errcode = 'PB004';
  end if;
  v_chunk := progressive_backfill.lock_chunk(p_chunk_id);
  if v_chunk.repository_id <> p_repository_id then
    raise exception 'chunk % belongs to another repository than %', p_chunk_id, p_repository_id
      using errcode = 'PB004';
  end if;
  if v_chunk.fencing_token is distinct from p_fencing_token
     or exists (
       select from progressive_backfill.backfill_chunks c
       where c.repository_id = p_repository_id and c.status = 'running' and c.id <> p_chunk_id) then
    raise exception 'stale lease: another worker holds the backfill of repository % now', p_repository_id
      using errcode = 'PB001';
  end if;
end
$$;

-- New optional arguments make new signatures: drop the old ones rather than keep two overloads.
drop function progressive_backfill.backfill_pause(bigint, text, timestamptz);
drop function progressive_backfill.backfill_fail_backfill(bigint, text);

-- A worker pausing the backfill it works on names its lease (p_chunk_id, p_fencing_token): stale, it is refused
-- (PB001). An operator names none.
create or replace function progressive_backfill.backfill_pause(
  p_repository_id bigint,
  p_reason text,
  p_resume_at timestamptz,
  p_chunk_id bigint default null,
  p_fencing_token bigint default null
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_reason is null or btrim(p_reason) = '' then
    raise exception 'a pause needs a reason' using errcode = 'PB004';
  end if;
  if p_resume_at is null or p_resume_at <= now() then
    raise exception 'resume time must be in the future' using errcode = 'PB004';
  end if;
  perform progressive_backfill.assert_status(
    progressive_backfill.lock_state(p_repository_id), array['active', 'paused'], 'pause');
  perform progressive_backfill.assert_lease_of(p_repository_id, p_chunk_id, p_fencing_token);

  -- The worker holding the lease finds out on its next call (PB001) and stops.
  update progressive_backfill.backfill_chunks
  set status = 'pending', lease_owner = null, lease_expires_at = null, run_at = now()
  where repository_id = p_repository_id and status = 'running';
  update progressive_backfill.backfill_state
  set status = 'paused', pause_reason = left(p_reason, 2000), resume_at = p_resume_at, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

-- A worker failing the backfill it works on names its lease (p_chunk_id, p_fencing_token): stale, it is refused
-- (PB001). An operator names none.
create or replace function progressive_backfill.backfill_fail_backfill(
  p_repository_id bigint,
  p_error text,
  p_chunk_id bigint default null,
  p_fencing_token bigint default null
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_error text := left(coalesce(nullif(btrim(p_error), ''), 'failed'), 2000);
begin
  perform progressive_backfill.lock_state(p_repository_id);
  perform progressive_backfill.assert_lease_of(p_repository_id, p_chunk_id, p_fencing_token);
  perform progressive_backfill.close_open_chunks(p_repository_id, 'failed', v_error);
  update progressive_backfill.backfill_state
  set status = 'failed', last_error = v_error, pause_reason = null, resume_at = null, updated_at = now()
  where repository_id = p_repository_id;
end
$$;

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

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261202000003', 'read_access_and_fenced_pause')
on conflict (version) do nothing;
