create or replace function progressive_backfill.backfill_upsert_pull_requests(p_repository_id bigint, p_prs jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_inserted int;
  v_updated int;
begin
  select u.inserted, u.updated into v_inserted, v_updated from progressive_backfill.upsert_prs(p_repository_id, p_prs) u;
  return jsonb_build_object('inserted', v_inserted, 'updated', v_updated);
end
$$;
