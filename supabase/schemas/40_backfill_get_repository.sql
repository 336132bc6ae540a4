create or replace function progressive_backfill.backfill_get_repository(
  p_repository_id bigint default null,
  p_owner text default null,
  p_name text default null
) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_repository_id is not null then
    v_id := p_repository_id;
  elsif p_owner is not null and p_name is not null then
    select id into v_id from progressive_backfill.repositories where lower(full_name) = lower(p_owner || '/' || p_name);
  else
    raise exception 'give a repository id or an owner and name' using errcode = 'PB004';
  end if;
  return progressive_backfill.repository_json(v_id);
end
$$;
