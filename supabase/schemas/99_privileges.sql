-- Last: every object exists now, so the privileges can be settled (see 01_apply_privileges.sql).
select progressive_backfill.apply_privileges();
