create or replace function progressive_backfill.backfill_update_repository_counts(p_repository_id bigint, p_pr_total_count int)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if p_pr_total_count is null or p_pr_total_count < 0 then
    raise exception 'pull request total count must be >= 0' using errcode = 'PB004';
  end if;
  update progressive_backfill.repositories
  set pr_total_count = p_pr_total_count, pr_total_count_at = now(), updated_at = now()
  where id = p_repository_id;
  if not found then
    raise exception 'unknown repository %', p_repository_id using errcode = 'PB004';
  end if;
end
$$;
