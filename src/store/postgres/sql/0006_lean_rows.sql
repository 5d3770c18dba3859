-- Fewer bytes written per action (docs/performance.md, third round: WAL per record type).
--
-- 1. No foreign keys between the hot tables. Each one cost a row lock on the referenced row per
--    insert (a WAL record, and a multixact when several inserts share a parent) plus a trigger
--    query. The references hold by construction instead:
--    - a call row is inserted only by the statement that writes its instance's state (fenced
--      on the instance row), so its instance exists;
--    - an attempt row is inserted only from the update of its call row, in the same statement;
--    - an instance row is inserted with the id of a registered version, and versions are never
--      deleted.
--    Nothing deletes instances today; a retention job must delete an instance's calls and
--    attempts with it.
alter table waymark_action_calls drop constraint waymark_action_calls_instance_id_fkey;
alter table waymark_action_attempts drop constraint waymark_action_attempts_instance_id_call_id_fkey;
alter table waymark_instances drop constraint waymark_instances_version_id_fkey;

-- 2. A call without options stores no policy (src/runtime/storedPolicy.ts): NULL, or only the
--    fields that differ from one attempt, no backoff, no timeout.
alter table waymark_action_calls alter column policy drop not null;

-- 3. The attempt history keeps the attempts that did not settle their call (retried failures,
--    lost workers). The attempt that settled it — the only one for most calls — is the call
--    row itself (attempts, worker, started_at, finished_at, success, result), so it is written
--    once instead of twice. `waymark_attempts` shows every attempt of every call.
delete from waymark_action_attempts h
  using waymark_action_calls c
  where h.instance_id = c.instance_id and h.call_id = c.call_id and h.attempt = c.attempts
    and c.status in ('completed', 'failed');

create view waymark_attempts as
  select instance_id, call_id, attempt, worker, started_at, finished_at, success, result
  from waymark_action_attempts
  union all
  select instance_id, call_id, attempts, worker, started_at, finished_at, success, result
  from waymark_action_calls
  where status in ('completed', 'failed') and attempts > 0;

-- 4. A running call's lease holder is its `worker` (both were always set together), so the
--    call row stops carrying the same name twice.
alter table waymark_action_calls drop column lease_owner;

-- 5. Every update that cannot be HOT adds an entry to every index whose predicate the new row
--    version matches. Listing by status (`waymark status`) needs the index for the statuses
--    worth finding among many rows — unfinished and failed ones; completed instances are most
--    rows and are listed newest first through the primary key. So the final update of a
--    completed instance adds no entry here.
drop index waymark_instances_status;
create index waymark_instances_unfinished on waymark_instances (status, id)
  where status <> 'completed';
