-- Deletes the stored pull requests of a repository that left its backfill's scope: p_prs lists them
-- ([{github_id, updated_at}, …]) as seen now; a stored version newer than that is kept (a later change may have
-- brought it back). Reviews, comments and follow-ups go with them; stored_pr_count follows. Returns how many went.
create or replace function progressive_backfill.delete_left_scope(p_repository_id bigint, p_prs jsonb) returns int
language plpgsql security definer set search_path = ''
as $$
declare
  v_removed int := 0;
begin
  if p_prs is null or jsonb_typeof(p_prs) <> 'array' then
    return 0;
  end if;
  begin
    with gone as (
      delete from progressive_backfill.pull_requests pr
      using jsonb_to_recordset(p_prs) as r(github_id bigint, updated_at timestamptz)
      where pr.repository_id = p_repository_id and pr.github_id = r.github_id and pr.updated_at <= r.updated_at
      returning pr.id
    )
    select count(*) into v_removed from gone;
  exception
    when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
      or numeric_value_out_of_range then
      raise exception 'invalid pull request that left the scope: %', sqlerrm using errcode = 'PB004';
  end;
  if v_removed > 0 then
    update progressive_backfill.repositories
    set stored_pr_count = greatest(0, stored_pr_count - v_removed), updated_at = now()
    where id = p_repository_id;
  end if;
  return v_removed;
end
$$;
