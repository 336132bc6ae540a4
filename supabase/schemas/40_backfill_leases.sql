-- The running leases (of the given repositories, or all): who holds each, until when, and whether its holder is
-- known alive (true), known gone (false: the next claim takes it over) or cannot be judged (null: it expires).
-- A run reports the repositories it could not work on because of them. Read-only.
create or replace function progressive_backfill.backfill_leases(p_repository_ids bigint[] default null)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(
    jsonb_build_object(
      'repositoryId', c.repository_id,
      'fullName', r.full_name,
      'chunkId', c.id,
      'chunkNumber', c.chunk_number,
      'leaseOwner', c.lease_owner,
      'leaseExpiresAt', c.lease_expires_at,
      'secondsLeft', greatest(extract(epoch from c.lease_expires_at - now()), 0)::float8,
      'holderAlive', progressive_backfill.lease_holder_alive(c.lease_holder_key))
    order by c.repository_id), '[]'::jsonb)
  from progressive_backfill.backfill_chunks c
  join progressive_backfill.repositories r on r.id = c.repository_id
  where c.status = 'running' and (p_repository_ids is null or c.repository_id = any(p_repository_ids))
$$;
