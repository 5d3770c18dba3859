-- Actions kept out of runner processes. A runner may run the calls it dispatches in its own
-- process (src/worker/InlineExecutor.ts); when such a call's lease expires — the runner died
-- while running it, maybe because of the action (process.exit, a native crash, running out of
-- memory) — the reaper notes the action here. Every runner reads this table on each heartbeat
-- and runs a noted action only in worker processes, which are respawned when they die, so a
-- poison action cannot take runners down one after another. A note lapses after a day (a
-- redeploy has usually fixed the action by then); delete the row to lift it sooner.
create table waymark_inline_quarantine (
  action_name text primary key,
  worker text,
  reason text not null,
  noted_at timestamptz not null default now()
);
