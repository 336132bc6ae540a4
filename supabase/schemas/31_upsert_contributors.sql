-- Upserts accounts by GitHub id; the newest login wins (GitHub always reports the current one), and an avatar or
-- profile URL is never erased by a source that does not carry one (a webhook, the core profile). Rows without an id
-- or a login are no account and are left out.
create or replace function progressive_backfill.upsert_contributor_rows(p_rows progressive_backfill.contributor_row[])
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into progressive_backfill.contributors as c (github_id, login, type, avatar_url, html_url)
  select distinct on (r.github_id) r.github_id, r.login, r.type, r.avatar_url, r.html_url
  from unnest(p_rows) r
  where r.github_id is not null and r.login is not null
  order by r.github_id, r.avatar_url nulls last
  on conflict (github_id) do update set
    login = excluded.login,
    type = coalesce(excluded.type, c.type),
    avatar_url = coalesce(excluded.avatar_url, c.avatar_url),
    html_url = coalesce(excluded.html_url, c.html_url),
    updated_at = now()
  where (c.login, c.type, c.avatar_url, c.html_url) is distinct from
        (excluded.login, coalesce(excluded.type, c.type), coalesce(excluded.avatar_url, c.avatar_url),
         coalesce(excluded.html_url, c.html_url));
end
$$;

-- The same for accounts given as a JSON array of objects (children of a page, webhook deliveries); anything but an
-- array is no accounts.
create or replace function progressive_backfill.upsert_contributors(p_contributors jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_contributors is null or jsonb_typeof(p_contributors) <> 'array' then
    return;
  end if;
  perform progressive_backfill.upsert_contributor_rows(array(
    select r from jsonb_populate_recordset(null::progressive_backfill.contributor_row, p_contributors) r));
end
$$;
