-- A page of pull requests must be a JSON array of objects carrying at least the identifying columns; everything
-- else is checked by the table's constraints (mapped to PB004 in backfill_upsert_prs).
create or replace function progressive_backfill.check_prs(p_prs jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_prs is null or jsonb_typeof(p_prs) <> 'array' then
    raise exception 'pull requests must be a JSON array' using errcode = 'PB004';
  end if;
  if exists (
    select 1 from jsonb_array_elements(p_prs) e
    where jsonb_typeof(e) <> 'object'
      or not e ?& array['github_id', 'node_id', 'number', 'title', 'state', 'created_at', 'updated_at', 'url',
                        'field_profile']
  ) then
    raise exception 'every pull request must be an object with github_id, node_id, number, title, state, '
      'created_at, updated_at, url and field_profile' using errcode = 'PB004';
  end if;
end
$$;
