-- Room on each heap page for the new version of a row updated in place (HOT update: no new
-- index entries). A held instance's step rewrites its state, steps and updated_at only — none
-- indexed — so with free space on the page that update is HOT; action call rows are updated
-- 2–3 times in their life. Applies to pages written from now on.
alter table waymark_instances set (fillfactor = 70);
alter table waymark_action_calls set (fillfactor = 80);
