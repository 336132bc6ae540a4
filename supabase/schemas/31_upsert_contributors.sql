-- Upserts accounts by GitHub id; the newest login wins (GitHub always reports the current one), and an avatar or
-- profile URL is never erased by a source that does not carry one (a webhook, the core profile).
create or replace function progressive_backfill.upsert_contributors(p_contributors jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_contributors is null or jsonb_typeof(p_contributors) <> 'array' then
    return;
  end if;
  insert into progressive_backfill.contributors as c (github_id, login, type, avatar_url, html_url)
  select distinct on (r.github_id) r.github_id, r.login, r.type, r.avatar_url, r.html_url
  from jsonb_to_recordset(p_contributors) as r(github_id bigint, login text, type text, avatar_url text, html_url text)
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
