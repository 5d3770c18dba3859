-- Wake an instance only when an outcome can move it. The interpreter resumes a wait over several
-- calls (Promise.all, a concurrent run) only once every call has an outcome, or at the first
-- failure; waking it at each completion batch re-advanced a wide fan-out once per batch, each
-- time decoding and re-encoding a state that grows with its width.
--
-- Invariants (see completeActions.ts and persistInstances.ts):
-- - calls_done counts the final outcomes recorded by completeActions for the instance (each call
--   finalizes at most once: completions are fenced on status and attempt). It only grows.
-- - calls_absorbed counts those outcomes the instance's state has absorbed: the persist adds the
--   number of outcome rows it flips from undelivered to delivered. So calls_done − calls_absorbed
--   = the final outcomes recorded but not yet delivered (≥ 0).
-- - calls_awaited is set at each park: the calls of the current wait without an outcome in the
--   state the runner wrote.
-- A completion wakes the instance when calls_done ≥ calls_absorbed + calls_awaited (every
-- awaited call has an outcome, whether recorded before or after the park), or on any failure.
-- Any interleaving of a completion with a claim/persist is serialized on the instance row, and
-- an outcome recorded while the instance was held counts in calls_done: a wake-up is never lost;
-- at worst it is early (an outcome of a call the state no longer awaits), which only re-advances.
-- Rows written before this migration have calls_awaited = 0: every completion wakes them.
alter table waymark_instances
  add column calls_done integer not null default 0,
  add column calls_absorbed integer not null default 0,
  add column calls_awaited integer not null default 0;
