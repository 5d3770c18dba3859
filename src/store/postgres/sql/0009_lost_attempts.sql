-- A lost attempt (its worker or runner died, or its lease lapsed, before an outcome was recorded)
-- is a different thing from an attempt that threw: retry policies govern thrown errors and
-- timeouts; lost attempts are re-run for every action, bare or not, within their own budget
-- (WAYMARK_MAX_LOST_ATTEMPTS, default 3), unless the action says `onLost: "fail"`.
--
-- lost_attempts: how many of the call's `attempts` were lost. Invariants:
-- - attempts counts every execution, charged before it starts (claimActions.ts; for local calls
--   the commit that writes local_calls); lost_attempts <= attempts.
-- - attempts - lost_attempts is what the retry policy's `attempts` bounds; lost_attempts is
--   bounded by WAYMARK_MAX_LOST_ATTEMPTS + 1 (the one that exceeds the budget fails the call).
-- - Only a fenced completion that records a lost attempt increments it (completeActions.ts with
--   `lost`, persistInstances.ts for local calls), in the same statement that requeues or fails.
alter table waymark_action_calls add column lost_attempts integer not null default 0;

-- Every attempt with whether it was lost (the settling attempt of a call is its row).
alter table waymark_action_attempts add column lost boolean not null default false;

create or replace view waymark_attempts as
  select instance_id, call_id, attempt, worker, started_at, finished_at, success, result, lost
  from waymark_action_attempts
  union all
  select instance_id, call_id, attempts, worker, started_at, finished_at, success, result,
         -- the settling attempt was lost when it failed the call for being lost
         lost_attempts > 0 and not success and coalesce(result ->> 'name' = 'WorkerLostError', false)
  from waymark_action_calls
  where status in ('completed', 'failed') and attempts > 0;
