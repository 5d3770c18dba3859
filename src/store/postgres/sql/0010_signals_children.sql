-- Signals, child workflows and sleeps inside a gather: waits that are not actions, kept as call
-- rows so that the interpreter sees every wait as a call with an outcome, and outcomes reach
-- the instance by the same path as action outcomes (undelivered call rows, the wake counters of
-- 0005_wake_counters.sql, a NOTIFY).
--
-- A waiting call row: status 'waiting', `wait` says what it waits for, `attempts` 0 (nothing
-- is executed, so nothing is charged), workers never see it (they claim 'queued' rows only):
--  - wait = 'signal': the next signal named `action_name` sent to its instance, or the deadline
--    `scheduled_at`, after which it completes with `result` (the encoded `null`, written when
--    the wait is dispatched);
--  - wait = 'sleep': a sleep inside Promise.all/allSettled, completes at `scheduled_at` with
--    `result` (the encoded `undefined`);
--  - wait = 'child': the child instance whose (parent_id, parent_call_id) is this call; it
--    completes when that instance ends (the trigger below), `scheduled_at` = infinity.
-- Invariants:
-- - A waiting row settles exactly once (completed or failed, delivered = false), by a statement
--   that matches `status = 'waiting'` under the row lock: waymark_settle_waits, which every path
--   uses (signal delivery, deadlines, child ends). It wakes the instance with the wake rule.
-- - A signal is consumed by at most one wait, and a wait by at most one signal: deliveries to
--   one instance are serialized by a transaction-scoped advisory lock on the instance id, and a
--   signal is marked consumed only together with the wait its delivery settled.
-- - Signals of one name are consumed in the order they were accepted (id order), by waits in
--   the order they were dispatched (call id order).
alter table waymark_action_calls add column wait text;
create index waymark_action_calls_waiting on waymark_action_calls (scheduled_at)
  where status = 'waiting';

-- The durable mailbox: every accepted signal, kept until a wait consumes it (call_id set).
create table waymark_signals (
  id bigserial primary key,
  instance_id bigint not null,
  name text not null,
  payload json not null,
  call_id integer,
  created_at timestamptz not null default now(),
  consumed_at timestamptz
);
create index waymark_signals_kept on waymark_signals (instance_id, name, id) where call_id is null;
create index waymark_signals_instance on waymark_signals (instance_id);

-- A child instance names the parent call it answers. Unique: a parent's dispatch that runs
-- again after a crash (the same deterministic call id) inserts no second child.
alter table waymark_instances add column parent_id bigint, add column parent_call_id integer;
create unique index waymark_instances_parent on waymark_instances (parent_id, parent_call_id)
  where parent_id is not null;

-- Settles waiting calls (those still 'waiting' under the row lock; others are skipped) with the
-- given outcomes (`p_result` null keeps the row's stored result: a deadline) and wakes their
-- instances. Returns the calls it settled.
create function waymark_settle_waits(p_instance bigint[], p_call int[], p_success boolean[],
                                     p_result json[])
returns table (instance_id bigint, call_id int)
language sql as $$
  with input as (
    select * from unnest(p_instance, p_call, p_success, p_result) as t(instance_id, call_id, success, result)
  ),
  upd as (
    update waymark_action_calls c set
      status = case when i.success then 'completed' else 'failed' end,
      success = i.success,
      result = coalesce(i.result, c.result),
      delivered = false,
      finished_at = now()
    from input i
    where c.instance_id = i.instance_id and c.call_id = i.call_id and coalesce(c.status, '') = 'waiting'
    returning c.instance_id, c.call_id, c.success
  ),
  final as (
    select u.instance_id, count(*)::int as n, bool_or(not u.success) as any_failed from upd u group by 1
  ),
  -- The wake rule of completeActions.ts, written the same way (see the comment there).
  woken as (
    update waymark_instances w
    set calls_done = w.calls_done + f.n,
        wake_at = case
          when w.calls_done + f.n < w.calls_absorbed + w.calls_awaited and not f.any_failed
            then w.wake_at
          when w.wake_at is not null and w.wake_at <= now() then w.wake_at
          else now() end
    from final f
    where w.id = f.instance_id and w.status not in ('completed', 'failed', 'cancelled')
    returning w.wake_at is not null and w.wake_at <= now() as due
  ),
  n as (select pg_notify('waymark_instances', '') where exists (select 1 from woken where due))
  -- Reading `n` makes the notification run (a plain SELECT CTE runs only when read).
  select u.instance_id, u.call_id from upd u where (select count(*) from n) >= 0
$$;

-- Pairs the kept signals of these instances with their waiting signal calls (per name, oldest
-- signal with oldest wait), settles those waits with the payloads and marks exactly the signals
-- whose wait it settled as consumed. Returns how many waits it settled.
create function waymark_deliver_signals(p_ids bigint[]) returns int
language plpgsql as $$
declare
  v_sid bigint[];
  v_inst bigint[];
  v_call int[];
  v_payload json[];
  settled int;
begin
  -- Deliveries to one instance run one at a time (locks taken in id order: two batches never
  -- deadlock). Each statement below reads what the previous holder committed.
  perform pg_advisory_xact_lock(22349, k)
    from (select distinct (x % 2147483647)::int as k from unnest(p_ids) as x order by 1) ks;
  select array_agg(s.id order by s.id), array_agg(c.instance_id order by s.id),
         array_agg(c.call_id order by s.id), array_agg(s.payload order by s.id)
    into v_sid, v_inst, v_call, v_payload
    from (select g.id, g.instance_id, g.name, g.payload,
                 row_number() over (partition by g.instance_id, g.name order by g.id) as rn
          from waymark_signals g where g.instance_id = any(p_ids) and g.call_id is null) s
    join (select a.instance_id, a.call_id, a.action_name as name,
                 row_number() over (partition by a.instance_id, a.action_name order by a.call_id) as rn
          from waymark_action_calls a
          where a.instance_id = any(p_ids) and a.status = 'waiting' and a.wait = 'signal') c
      on c.instance_id = s.instance_id and c.name = s.name and c.rn = s.rn;
  if v_sid is null then
    return 0;
  end if;
  -- A wait that passed its deadline or was abandoned meanwhile is not settled: its signal stays.
  with settled_calls as (
    select * from waymark_settle_waits(v_inst, v_call, array_fill(true, array[cardinality(v_sid)]), v_payload)
  ),
  used as (
    update waymark_signals g set call_id = p.call_id, consumed_at = now()
    from unnest(v_sid, v_inst, v_call) as p(sid, instance_id, call_id)
    join settled_calls sc on sc.instance_id = p.instance_id and sc.call_id = p.call_id
    where g.id = p.sid
    returning 1
  )
  select count(*) into settled from used;
  return settled;
end
$$;

-- Accepts a signal for a live instance: returns 'sent', or the reason nothing was written
-- ('missing', or the instance's terminal status). The share lock keeps the instance from ending
-- before the signal is in its mailbox.
create function waymark_send_signal(p_id bigint, p_name text, p_payload json) returns text
language plpgsql as $$
declare
  st text;
begin
  select status into st from waymark_instances where id = p_id for share;
  if st is null then
    return 'missing';
  end if;
  if st in ('completed', 'failed', 'cancelled') then
    return st;
  end if;
  insert into waymark_signals (instance_id, name, payload) values (p_id, p_name, p_payload);
  perform waymark_deliver_signals(array[p_id]);
  return 'sent';
end
$$;

-- Settles waits whose deadline passed (a signal that did not come: null; a sleep in a gather:
-- undefined), at most p_limit, oldest first; rows another process is settling are skipped.
create function waymark_expire_waits(p_limit int) returns int
language sql as $$
  with due as (
    select a.instance_id, a.call_id from waymark_action_calls a
    where a.status = 'waiting' and a.scheduled_at <= now()
    order by a.scheduled_at limit p_limit
    for update skip locked
  )
  select count(*)::int from waymark_settle_waits(
    array(select instance_id from due order by instance_id, call_id),
    array(select call_id from due order by instance_id, call_id),
    array(select true from due order by instance_id, call_id),
    array(select null::json from due order by instance_id, call_id))
$$;

-- Delivers kept signals that have a matching wait (a delivery that failed after its wait was
-- written). Cheap when there are none: the kept signals are a partial index.
create function waymark_deliver_kept(p_limit int) returns int
language sql as $$
  select waymark_deliver_signals(array(
    select distinct g.instance_id from waymark_signals g
    where g.call_id is null
      and exists (select 1 from waymark_action_calls a
                  where a.instance_id = g.instance_id and a.status = 'waiting'
                    and a.wait = 'signal' and a.action_name = g.name)
    limit p_limit))
$$;

-- A child that ends settles its parent's call with its result, or its error (a cancelled child:
-- the error its cancel recorded), so the parent sees the child's class chain.
create function waymark_child_ended() returns trigger
language plpgsql as $$
begin
  perform waymark_settle_waits(array[new.parent_id], array[new.parent_call_id],
    array[new.status = 'completed'],
    array[case when new.status = 'completed' then coalesce(new.result::json, '{"$wm":"undef"}'::json)
               else coalesce(new.error::json, '{"name":"CancelledError","message":"cancelled","classChain":["CancelledError","Error"]}'::json) end]);
  return null;
end
$$;
create trigger waymark_child_ended after update of status on waymark_instances
  for each row
  when (new.parent_id is not null and new.status in ('completed', 'failed', 'cancelled')
        and old.status not in ('completed', 'failed', 'cancelled'))
  execute function waymark_child_ended();
