-- The dashboard's runs page filtered by workflow on a large history: newest first, by cursor,
-- through (workflow_name, id) instead of a backward scan of every instance of the other
-- workflows. Neither column ever changes, so updates of an instance stay HOT
-- (0002_fillfactor.sql); the cost is one index entry per insert.
create index waymark_instances_workflow on waymark_instances (workflow_name, id);
