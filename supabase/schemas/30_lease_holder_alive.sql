-- Whether a lease's holder still exists. A worker on a direct connection locks a random 64-bit key with a
-- session-level advisory lock on one dedicated connection for its whole life, and names that key when it claims.
-- Postgres drops the lock when that session ends, however it ends (exit, SIGKILL, a lost network), so a key that
-- nobody holds means the holder is gone. pg_locks shows every session's locks to every role.
-- Null for a null key: a holder that named no session (a worker behind PostgREST) cannot be judged.
create or replace function progressive_backfill.lease_holder_alive(p_key bigint) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case when p_key is not null then exists (
    select 1
    from pg_catalog.pg_locks l
    where l.locktype = 'advisory'
      and l.granted
      and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
      -- a bigint key is shown split in two: its high 32 bits in classid, its low 32 bits in objid, objsubid 1
      and l.classid = ((p_key >> 32) & 4294967295)::oid
      and l.objid = (p_key & 4294967295)::oid
      and l.objsubid = 1)
  end
$$;
