-- Does a pull request (a page's JSON row) belong to a backfill's scope ({} for all; since, states, base)? The same
-- rule as inScope in src/domain/scope.ts (test/sql/pr-in-scope.test.ts holds them equal), for the writers that see
-- pull requests outside any walk: webhook deliveries.
create or replace function progressive_backfill.pr_in_scope(p_scope jsonb, p_pr jsonb) returns boolean
language sql immutable security definer set search_path = ''
as $$
  select (not coalesce(p_scope, '{}'::jsonb) ? 'states' or (p_scope -> 'states') ? (p_pr ->> 'state'))
     and (not coalesce(p_scope, '{}'::jsonb) ? 'base' or (p_scope ->> 'base') is not distinct from (p_pr ->> 'base_ref'))
     and (not coalesce(p_scope, '{}'::jsonb) ? 'since'
          or (p_pr ->> 'created_at')::timestamptz >= (p_scope ->> 'since')::timestamptz)
$$;
