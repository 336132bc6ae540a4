-- The repositories table keeps its pages nine tenths empty (fillfactor 10): a page commit's per-row foreign-key
-- checks no longer walk the chain of dead versions its counter updates leave (issue 13 item 3).

-- ===== 10_repositories.sql (fillfactor) =====
-- Every page commit updates its repository's row (the counts), and each pull request the commit writes checks that
-- row (its foreign key). Left full, a page holds a row's long chain of dead versions until it fills up, and every
-- check walks it; kept nine tenths empty, the page is pruned as it goes and a check finds the live version at once.
alter table progressive_backfill.repositories set (fillfactor = 10);

select progressive_backfill.apply_privileges();

insert into progressive_backfill.schema_migrations (version, name) values ('20261205100002', 'repositories_fillfactor')
on conflict (version) do nothing;
