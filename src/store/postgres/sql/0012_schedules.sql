-- Schedules: a workflow started on a cron expression or an interval, keyed by (workflow name,
-- schedule name).
--
-- Invariants:
-- - A due schedule is fired by one engine at a time: the ticker takes it FOR UPDATE SKIP LOCKED
--   (src/schedules/ScheduleTicker.ts) and, in the same transaction, queues the fire's instance
--   and moves next_fire_at past it.
-- - Each fire time makes at most one instance whatever happens (two tickers, a ticker that died
--   after its insert): the instance's idempotency key is `schedule:<schedule name>@<fire time>`
--   (0011_start_options.sql).
-- - next_fire_at is kept when the schedule is registered again with the same expression and
--   timezone; it is recomputed from now when either changes, and on resume.
create table waymark_schedules (
  workflow_name text not null,
  schedule_name text not null,
  version_id bigint not null,
  expression text not null,
  timezone text not null default 'UTC',
  inputs json not null,
  jitter_ms integer not null default 0,
  overlap text not null default 'skip',
  catch_up text not null default 'one',
  paused boolean not null default false,
  next_fire_at timestamptz not null,
  last_fire_at timestamptz,
  last_instance_id bigint,
  fires bigint not null default 0,
  skipped bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workflow_name, schedule_name)
);
create index waymark_schedules_due on waymark_schedules (next_fire_at) where not paused;
