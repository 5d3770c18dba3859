-- Waymark schema, version 1. Forward-only: never edit an applied migration, add 0002_… instead.
-- Every timestamp that drives behaviour (leases, wake-ups, backoff) is written with the
-- database clock (now()), never the client's.

-- One row per (workflow name, version). Immutable: the same key with another IR is an error
-- raised by the client (registerVersion), never an overwrite.
create table waymark_workflow_versions (
  id bigserial primary key,
  name text not null,
  version text not null,
  ir jsonb not null,
  created_at timestamptz not null default now(),
  unique (name, version)
);

-- One row per accepted workflow run.
--  status: queued | running | waiting | sleeping | completed | failed | cancelled
--  wake_at: when a runner should (re)consider the instance; null = parked until an event
--           (an action outcome sets it to now(); a sleep sets it to its deadline).
--  fence:   bumped by every claim; every runner write checks `fence = $claimed` so a runner
--           that lost its lease commits nothing.
--  state:   the interpreter state (encodeState), rewritten only when the instance parks.
create table waymark_instances (
  id bigserial primary key,
  version_id bigint not null references waymark_workflow_versions (id),
  workflow_name text not null,
  status text not null default 'queued',
  input jsonb not null,
  state text,
  result jsonb,
  error jsonb,
  wake_at timestamptz default now(),
  timer_id integer,
  timer_due_at timestamptz,
  lease_owner text,
  lease_expires_at timestamptz,
  fence bigint not null default 0,
  steps bigint not null default 0,
  cancel_requested boolean not null default false,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
-- The runner's claim scans only instances with a wake-up; parked ones cost no index entry.
create index waymark_instances_wake on waymark_instances (wake_at) where wake_at is not null;
-- Reclaiming instances whose runner died.
create index waymark_instances_lease on waymark_instances (lease_expires_at)
  where lease_expires_at is not null;
create index waymark_instances_status on waymark_instances (status, created_at);

-- One row per action call, keyed by (instance, deterministic call id) so a re-dispatch after a
-- crash is an insert-if-absent no-op.
--  status: queued | running | completed | failed | abandoned
--  attempts: executions charged so far; incremented by the claim, before the worker runs it.
--  success/result: the final outcome with an explicit flag (never guessed from the shape).
--  delivered: the runner has applied the outcome to the instance state.
create table waymark_action_calls (
  instance_id bigint not null references waymark_instances (id) on delete cascade,
  call_id integer not null,
  action_name text not null,
  args jsonb not null,
  policy jsonb not null,
  status text not null default 'queued',
  attempts integer not null default 0,
  scheduled_at timestamptz not null default now(),
  lease_owner text,
  lease_expires_at timestamptz,
  success boolean,
  result jsonb,
  delivered boolean not null default false,
  worker text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  primary key (instance_id, call_id)
);
create index waymark_action_calls_queue on waymark_action_calls (action_name, scheduled_at)
  where status = 'queued';
create index waymark_action_calls_running on waymark_action_calls (lease_expires_at)
  where status = 'running';
create index waymark_action_calls_undelivered on waymark_action_calls (instance_id)
  where not delivered and status in ('completed', 'failed');

-- Every attempt of every action call (history for the dashboard and for audits).
create table waymark_action_attempts (
  instance_id bigint not null,
  call_id integer not null,
  attempt integer not null,
  worker text,
  started_at timestamptz,
  finished_at timestamptz not null default now(),
  success boolean not null,
  result jsonb,
  primary key (instance_id, call_id, attempt),
  foreign key (instance_id, call_id) references waymark_action_calls (instance_id, call_id)
    on delete cascade
);

-- Live worker processes and the actions each serves (refreshed by heartbeats).
create table waymark_workers (
  id text primary key,
  kind text not null,
  host text not null,
  pid integer not null,
  actions text[] not null default '{}',
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);
