// Parks a batch of advanced instances in ONE statement (one implicit transaction, one round
// trip): writes state, inserts dispatched action calls (insert-if-absent by (instance, call id),
// so a re-dispatch after a crash is harmless), marks applied outcomes delivered, abandons calls,
// releases the lease and notifies workers / waiting clients.
//
// Plans: rows of the `unnest` inputs are estimated at 10 whatever their number, so a status
// test written `c.status = 'running'` lets the planner pick a partial index on that status
// (`waymark_action_calls_running`, `_undelivered`) as the inner side of a nested loop and scan
// every running call once per input row: O(n²), 0.7 s for 2,000 outcomes once statistics
// existed. Status tests on joined call rows are written `coalesce(status, '') = …`, which no
// partial index predicate is implied by, so the lookup goes through the primary key.
// Lookups by key that are not the target of an update are `exists` subqueries fenced with
// `offset 0`: not pulled up into a join, each runs as a primary-key probe per input row. As a
// join, the generic plan chosen while the table was small (a fresh or truncated table is
// estimated at 10 pages) kept a sequential scan of every call row, twice per statement, for the
// life of the connection: 1 ms per persist at 7,000 call rows.
//
// Fencing: the instance update matches `id and fence`; every other write in the statement is
// restricted to instances that update touched, so a runner that lost its lease changes nothing.
// Wake-up: if an action outcome arrived while the instance was held (wake_at was set again by
// the completion), that wake-up is kept so the instance is promptly re-claimed.
// Local execution: a call with `runAs` is not inserted; the instance row carries it in
// `local_calls` (0008_local_calls.sql), which charges its attempt 1 in this commit, before it
// runs. An instance with `hold` keeps this runner's lease while it waits for those calls, and a
// later persist records their outcomes (`records`) in the same statement that writes the state
// that absorbed them, inserting each call row once, settled — one commit per step instead of
// claim, completion, instance claim and persist, and one call-row write per action.
// Fresh writes: an instance announced by its insert (types.ts, freshPayloadSql) is claimed by
// the statement that writes its first step — the row must still be as inserted (fence 0,
// status queued: neither claimed, nor cancelled, nor written by another runner that heard the
// same notification); the write takes this runner's lease when it holds the instance, and
// drops the insert's delayed wake-up.
import { arrayLiteral } from "../arrayLiteral.js";
import type { Completion } from "./completeActions.js";
import { encodeLocalCalls, type LocalCall } from "./localCalls.js";
import {
  CHANNEL_ACTIONS,
  CHANNEL_DONE,
  CHANNEL_INSTANCES,
  donePayloadSql,
  type InstanceStatus,
  type Queryable,
} from "./types.js";

export interface InstanceWrite {
  id: string;
  fence: string;
  status: InstanceStatus;
  state: string | null;
  /** Encoded result (completed) or error (failed), as JSON text. */
  resultJson: string | null;
  errorJson: string | null;
  /** Timer the instance is blocked on (null when not sleeping). */
  timerId: number | null;
  /** A new sleep to start now (database clock); null keeps the current deadline. */
  sleepMs: number | null;
  stepsAdded: number;
  /** Calls of the current wait without an outcome in `state` (0 unless waiting on actions):
   *  completions wake the instance once all of them have one (0005_wake_counters.sql). */
  awaited?: number;
  /** Keep this runner's lease (the instance waits on calls this process runs itself). */
  hold?: boolean;
  /** With `hold`: the lease ends this long from now (a held sleep: its deadline plus a grace),
   *  instead of keeping the lease the heartbeat renews. */
  leaseMs?: number | null;
  /** The instance's first write, without a claim before it (see Fresh writes above). */
  fresh?: boolean;
}

export interface CallWrite {
  instanceId: string;
  callId: number;
  action: string;
  argsJson: string;
  /** encodeStoredPolicy: null for a call without options. */
  policyJson: string | null;
  /** Hand the call to this local worker: kept in the instance row's local_calls (attempt 1
   *  charged by this commit), not inserted until its outcome is recorded. */
  runAs?: string | null;
  /** Not an action: a waiting call row (0010_signals_children.sql) for a signal (`action` is
   *  its name), a sleep inside a gather, or a child workflow (`action` is its name, `argsJson`
   *  its input). */
  wait?: "signal" | "sleep" | "child";
  /** Deadline of a signal or sleep wait, from now (database clock). */
  timeoutMs?: number;
  /** The child's workflow version. */
  childVersionId?: string;
}

/** The outcome of a local call, with what its call row is inserted with. */
export interface LocalRecord extends Completion {
  action: string;
  argsJson: string;
  policyJson: string | null;
}

export interface CallRef {
  instanceId: string;
  callId: number;
}

export interface PersistBatch {
  instances: InstanceWrite[];
  dispatch: CallWrite[];
  delivered: CallRef[];
  abandon: CallRef[];
  /** Outcomes of calls run locally for held instances, recorded by the same statement that
   *  applies them (final ones are written delivered). Fenced like every other write here. */
  records?: LocalRecord[];
  /** Lease length for calls handed to local workers. */
  leaseMs?: number;
  /** This batch may already have been written by a statement whose answer was lost: include
   *  the test that recognises it (see `already`). */
  repeat?: boolean;
  /** The runner writing: the lease owner of fresh writes that hold their instance. */
  owner?: string;
}

export interface PersistResult {
  persisted: Set<string>;
  /** `instance/call` of the calls handed to a local worker by a write that took effect. */
  localStarted: Set<string>;
}

/** Returns the ids of the instances written (the others lost their lease: drop them). */
export async function persistInstances(db: Queryable, b: PersistBatch): Promise<Set<string>> {
  return (await persistInstancesEx(db, b)).persisted;
}

/** Which parts a batch needs: a statement leaves out the CTEs it has no rows for (each part
 *  costs executor start-up even when empty — about half the time of a one-instance step). */
interface Parts {
  dispatch: boolean;
  records: boolean;
  delivered: boolean;
  abandon: boolean;
  /** The statement may repeat a committed one (see `already`). */
  repeat: boolean;
  /** Some instances are fresh writes. */
  fresh: boolean;
  /** Some calls are handed to local workers (local_calls). */
  local: boolean;
  /** Some calls are waits (signals, sleeps in gathers, children). */
  waits: boolean;
  /** Some waits start child instances. */
  kids: boolean;
}

/** Parameters by name, numbered in order of first use (the same order for the same parts). */
class Params {
  readonly order: string[] = [];
  ref(name: string, type: string): string {
    let n = this.order.indexOf(name);
    if (n < 0) n = this.order.push(name) - 1;
    return `$${n + 1}::${type}`;
  }
}

function persistText(parts: Parts, p: Params): string {
  const { dispatch, records, delivered, abandon, repeat, fresh, local, waits, kids } = parts;
  const cte: string[] = [];
  cte.push(`inst as (
             select * from unnest(${p.ref("id", "bigint[]")}, ${p.ref("fence", "bigint[]")},
                                  ${p.ref("status", "text[]")}, ${p.ref("state", "text[]")},
                                  ${p.ref("result", "json[]")}, ${p.ref("error", "json[]")},
                                  ${p.ref("timerId", "int[]")}, ${p.ref("sleepMs", "float8[]")},
                                  ${p.ref("steps", "bigint[]")}, ${p.ref("hold", "boolean[]")},
                                  ${p.ref("awaited", "int[]")}, ${p.ref("leaseFor", "float8[]")}${
                                    fresh
                                      ? `,
                                  ${p.ref("fresh", "boolean[]")}`
                                      : ""
                                  }${
                                    local
                                      ? `,
                                  ${p.ref("local", "text[]")}`
                                      : ""
                                  })
               as t(id, fence, status, state, result, error, timer_id, sleep_ms, steps_added, hold,
                    awaited, lease_ms${fresh ? ", fresh" : ""}${local ? ", local_calls" : ""})
           )`);
  if (delivered)
    // Outcomes this persist delivers that were still undelivered: what the state absorbs.
    // MATERIALIZED: computed once (inlined, the planner ran it once per instance row).
    cte.push(`absorb as materialized (
             select d.instance_id, count(*)::int as n
             from unnest(${p.ref("dInstance", "bigint[]")}, ${p.ref("dCall", "int[]")}) as d(instance_id, call_id)
             where exists (select 1 from waymark_action_calls a
                           where a.instance_id = d.instance_id and a.call_id = d.call_id
                             and not a.delivered and coalesce(a.status, '') in ('completed', 'failed')
                           offset 0)
             group by d.instance_id
           )`);
  if (records)
    cte.push(`rec_in as (
             select * from unnest(${p.ref("rInstance", "bigint[]")}, ${p.ref("rCall", "int[]")},
                                  ${p.ref("rAttempt", "int[]")}, ${p.ref("rKind", "text[]")},
                                  ${p.ref("rSuccess", "boolean[]")}, ${p.ref("rResult", "json[]")},
                                  ${p.ref("rDelay", "float8[]")}, ${p.ref("rWorker", "text[]")},
                                  ${p.ref("rStarted", "timestamptz[]")}, ${p.ref("rAction", "text[]")},
                                  ${p.ref("rArgs", "json[]")}, ${p.ref("rPolicy", "jsonb[]")},
                                  ${p.ref("rLost", "boolean[]")})
               as t(instance_id, call_id, attempt, kind, success, result, delay_ms, worker,
                    started_at, action_name, args, policy, lost)
           )`);
  if (records)
    // Instances with an outcome whose call row already exists: recorded by a write this
    // statement is not (the state differs), or moved out by a claim or cancel (which bumped the
    // fence anyway). Their state is not written at all. Computed once per statement: one
    // primary-key probe per record (a correlated test per instance row was planned as a scan of
    // every record per instance: O(instances × records), 115 ms for 256).
    cte.push(`rec_stale as materialized (
             select distinct r.instance_id from rec_in r
             where exists (select 1 from waymark_action_calls c
                           where c.instance_id = r.instance_id and c.call_id = r.call_id
                           offset 0)
           )`);
  if (repeat) {
    // The same statement again after it committed but its answer was lost (the connection
    // dropped after the commit): the row already holds this very write. Under this runner's
    // fence the row's status is 'running' until its first write commits; a held write that
    // follows another (an instance waiting on calls run here, or on a sleep this runner waits
    // out) always changes the state (it dispatched calls, absorbed outcomes or consumed a
    // timer), and a release of a held sleep changes the lease. So equal fence, status, state and
    // lease mean "written". Such an instance is reported as written and not written again (its
    // recorded calls are no longer running; its steps would count twice).
    cte.push(`already as (
             select inst.id from inst
             where exists (select 1 from waymark_instances w
                           where w.id = inst.id and w.fence = inst.fence and w.status = inst.status
                             and w.state is not distinct from inst.state
                             and (w.lease_owner is not null) = inst.hold
                             and ${local ? "w.local_calls::text is not distinct from inst.local_calls" : "w.local_calls is null"}
                           offset 0)
           )`);
  }
  cte.push(`upd as (
             update waymark_instances w set
               status = inst.status,
               state = inst.state,
               result = inst.result,
               error = inst.error,
               steps = w.steps + inst.steps_added,
               calls_absorbed = w.calls_absorbed${delivered ? " + coalesce(ab.n, 0)" : ""},
               calls_awaited = inst.awaited,
               timer_id = inst.timer_id,
               timer_due_at = case
                 when inst.sleep_ms is not null then now() + inst.sleep_ms * interval '1 millisecond'
                 when inst.timer_id is not null then w.timer_due_at
                 else null end,
               wake_at = case
                 when inst.status in ('completed', 'failed', 'cancelled') then null
                 when w.wake_at is not null${fresh ? " and not inst.fresh" : ""} then w.wake_at
                 when inst.sleep_ms is not null then now() + inst.sleep_ms * interval '1 millisecond'
                 when inst.timer_id is not null then w.timer_due_at
                 else null end,
               lease_owner = case when inst.hold then ${fresh ? `coalesce(w.lease_owner, ${p.ref("owner", "text")})` : "w.lease_owner"} else null end,
               lease_expires_at = case when not inst.hold then null
                 when inst.lease_ms is not null then now() + inst.lease_ms * interval '1 millisecond'${
                   fresh
                     ? `
                 when inst.fresh then now() + ${p.ref("leaseMs", "float8")} * interval '1 millisecond'`
                     : ""
                 }
                 else w.lease_expires_at end,${fresh ? "\n               started_at = coalesce(w.started_at, now())," : ""}
               finished_at = case when inst.status in ('completed', 'failed', 'cancelled') then now() else null end,
               local_calls = ${local ? "inst.local_calls::json" : "null"},
               updated_at = now()
             from inst${delivered ? " left join absorb ab on ab.instance_id = inst.id" : ""}
             where w.id = inst.id and w.fence = inst.fence${fresh ? "\n               and (not inst.fresh or w.status = 'queued')" : ""}${repeat ? "\n               and inst.id not in (select id from already)" : ""}${records ? "\n               and inst.id not in (select instance_id from rec_stale)" : ""}
             returning w.id, w.status, w.result, w.error, w.priority
           )`);
  if (dispatch)
    cte.push(`calls as (
             insert into waymark_action_calls (instance_id, call_id, action_name, args, policy, priority)
             select c.instance_id, c.call_id, c.action_name, c.args, c.policy, u.priority
             from unnest(${p.ref("cInstance", "bigint[]")}, ${p.ref("cCall", "int[]")},
                         ${p.ref("cAction", "text[]")}, ${p.ref("cArgs", "json[]")},
                         ${p.ref("cPolicy", "jsonb[]")})
               as c(instance_id, call_id, action_name, args, policy)
             -- the instance's priority goes with its calls (0013_call_priority.sql)
             join upd u on u.id = c.instance_id
             -- Insert-if-absent without ON CONFLICT (a speculative insertion writes one more
             -- WAL record per row). Race-free: only the writer whose fenced update of the
             -- instance row succeeded gets here, and writers of one instance serialize on that
             -- row, each new one with a bumped fence — so no one inserts these keys meanwhile.
             where not exists (select 1 from waymark_action_calls e
                               where e.instance_id = c.instance_id and e.call_id = c.call_id
                               offset 0)
             returning 1
           )`);
  if (waits)
    // Waiting call rows, insert-if-absent like `calls` (and race-free for the same reason).
    // `result` holds what a deadline settles the wait with (0010_signals_children.sql).
    cte.push(`waits as (
             insert into waymark_action_calls (instance_id, call_id, action_name, args, status, wait,
               scheduled_at, result)
             select w.instance_id, w.call_id, w.action_name, w.args, 'waiting', w.wait,
               case when w.wait = 'child' then 'infinity'::timestamptz
                 else now() + w.ms * interval '1 millisecond' end,
               case w.wait when 'signal' then 'null'::json when 'sleep' then '{"$wm":"undef"}'::json end
             from unnest(${p.ref("wInstance", "bigint[]")}, ${p.ref("wCall", "int[]")},
                         ${p.ref("wAction", "text[]")}, ${p.ref("wArgs", "json[]")},
                         ${p.ref("wWait", "text[]")}, ${p.ref("wMs", "float8[]")})
               as w(instance_id, call_id, action_name, args, wait, ms)
             where w.instance_id in (select id from upd)
               and not exists (select 1 from waymark_action_calls e
                               where e.instance_id = w.instance_id and e.call_id = w.call_id
                               offset 0)
             returning 1
           )`);
  if (kids) {
    // A child instance per child call, at most once per (parent, call id) whatever repeats the
    // dispatch (the unique index of 0010_signals_children.sql).
    cte.push(`kids as (
             insert into waymark_instances (version_id, workflow_name, input, status, wake_at,
               parent_id, parent_call_id, priority)
             select k.version_id, k.workflow_name, k.input, 'queued', now(), k.parent_id, k.call_id,
               -- a child inherits its parent's priority (0011_start_options.sql)
               (select p.priority from waymark_instances p where p.id = k.parent_id)
             from unnest(${p.ref("kVersion", "bigint[]")}, ${p.ref("kName", "text[]")},
                         ${p.ref("kInput", "jsonb[]")}, ${p.ref("kParent", "bigint[]")},
                         ${p.ref("kCall", "int[]")})
               as k(version_id, workflow_name, input, parent_id, call_id)
             where k.parent_id in (select id from upd)
             on conflict (parent_id, parent_call_id) where parent_id is not null do nothing
             returning 1
           )`);
    cte.push(`n_kids as (
             select pg_notify('${CHANNEL_INSTANCES}', '') where exists (select 1 from kids)
           )`);
  }
  if (records) {
    // Each local call's row, inserted once with its outcome: a final one delivered (the state
    // written here absorbed it), a retry queued behind its backoff, a call its worker never
    // started (release) queued with its attempt given back. No row exists yet: else the
    // instance is in rec_stale, not in upd; a row inserted since this statement's snapshot was
    // inserted by a statement that bumped the fence, which upd rechecks under the row lock.
    cte.push(`recorded as (
             insert into waymark_action_calls (instance_id, call_id, action_name, args, policy,
               status, attempts, scheduled_at, success, result, delivered, worker, started_at,
               finished_at, lost_attempts)
             select r.instance_id, r.call_id, r.action_name, r.args, r.policy,
               case when r.kind in ('retry', 'release') then 'queued' else r.kind end,
               case when r.kind = 'release' then r.attempt - 1 else r.attempt end,
               case when r.kind = 'retry' and r.delay_ms > 0
                 then now() + r.delay_ms * interval '1 millisecond' else now() end,
               case when r.kind in ('retry', 'release') then null else r.success end,
               case when r.kind in ('retry', 'release') then null else r.result end,
               r.kind not in ('retry', 'release'),
               case when r.kind = 'release' then null else r.worker end,
               case when r.kind in ('retry', 'release') then null else coalesce(r.started_at, now()) end,
               case when r.kind in ('retry', 'release') then null else now() end,
               r.lost::int
             from rec_in r
             where r.instance_id in (select id from upd)
             returning status
           )`);
    // A retried attempt's history row (the settling attempt is the call row: completeActions.ts).
    cte.push(`hist as (
             insert into waymark_action_attempts (instance_id, call_id, attempt, worker, started_at, success, result, lost)
             select r.instance_id, r.call_id, r.attempt, r.worker, r.started_at, r.success, r.result, r.lost
             from rec_in r
             where r.kind = 'retry' and r.instance_id in (select id from upd)
             on conflict do nothing
             returning 1
           )`);
  }
  if (delivered)
    cte.push(`delivered as (
             update waymark_action_calls a set delivered = true
             from unnest(${p.ref("dInstance", "bigint[]")}, ${p.ref("dCall", "int[]")}) as d(instance_id, call_id)
             where a.instance_id = d.instance_id and a.call_id = d.call_id
               and d.instance_id in (select id from upd)
             returning 1
           )`);
  if (abandon) {
    // SKIP LOCKED: a call locked by a worker's completion or claim right now is left to it (its
    // outcome arrives later and the interpreter ignores outcomes of abandoned calls). Waiting
    // instead would invert the lock order of completions (call row, then instance row) and
    // deadlock.
    cte.push(`to_abandon as (
             select a.instance_id, a.call_id from waymark_action_calls a
             join unnest(${p.ref("aInstance", "bigint[]")}, ${p.ref("aCall", "int[]")}) as d(instance_id, call_id)
               on a.instance_id = d.instance_id and a.call_id = d.call_id
             where a.status in ('queued', 'running', 'waiting') and d.instance_id in (select id from upd)${
               records
                 ? `
               and not exists (select 1 from rec_in r
                               where r.instance_id = a.instance_id and r.call_id = a.call_id)`
                 : ""
             }
             for update of a skip locked
           )`);
    cte.push(`abandoned as (
             update waymark_action_calls a set status = 'abandoned',
               lease_expires_at = null, finished_at = now()
             from to_abandon t
             where a.instance_id = t.instance_id and a.call_id = t.call_id
             returning 1
           )`);
  }
  const wakeWorkers = [
    ...(dispatch ? ["exists (select 1 from calls)"] : []),
    ...(records ? ["exists (select 1 from recorded where status = 'queued')"] : []),
  ];
  if (wakeWorkers.length > 0)
    cte.push(`n_actions as (
             select pg_notify('${CHANNEL_ACTIONS}', '') where ${wakeWorkers.join(" or ")}
           )`);
  cte.push(`n_done as (
             select pg_notify('${CHANNEL_DONE}', ${donePayloadSql("upd")}) from upd
             where status in ('completed', 'failed', 'cancelled')
           )`);
  const persisted = repeat
    ? "(select array_agg(id) from (select id from upd union all select id from already) x)"
    : "(select array_agg(id) from upd)";
  // pg_notify in a plain SELECT CTE runs only if the statement reads it: every side effect is
  // counted into the last column. (Data-modifying CTEs run whether read or not.)
  const effects = [
    ...(wakeWorkers.length > 0 ? ["n_actions"] : []),
    "n_done",
    ...(delivered ? ["delivered"] : []),
    ...(abandon ? ["abandoned"] : []),
    ...(records ? ["hist"] : []),
    ...(waits ? ["waits"] : []),
    ...(kids ? ["n_kids"] : []),
  ].map((c) => `(select count(*) from ${c})`);
  return `with ${cte.join(",\n           ")}
           select ${persisted} as persisted, ${effects.join(" + ")} as side_effects`;
}

const texts = new Map<string, { text: string; order: string[] }>();

export async function persistInstancesEx(db: Queryable, b: PersistBatch): Promise<PersistResult> {
  if (b.instances.length === 0) return { persisted: new Set(), localStarted: new Set() };
  const i = b.instances;
  const r = b.records ?? [];
  // Calls for local workers go into their instance's local_calls; the others are inserted queued.
  const queued: CallWrite[] = [];
  const waits: CallWrite[] = [];
  const local = new Map<string, LocalCall[]>();
  for (const c of b.dispatch) {
    if (c.wait) {
      waits.push(c);
      continue;
    }
    if (!c.runAs) {
      queued.push(c);
      continue;
    }
    const list = local.get(c.instanceId) ?? [];
    list.push({ ...c, worker: c.runAs });
    local.set(c.instanceId, list);
  }
  const kids = waits.filter((c) => c.wait === "child");
  const all: Record<string, () => unknown> = {
    id: () => i.map((x) => x.id),
    fence: () => i.map((x) => x.fence),
    status: () => i.map((x) => x.status),
    state: () => i.map((x) => x.state),
    result: () => i.map((x) => x.resultJson),
    error: () => i.map((x) => x.errorJson),
    timerId: () => i.map((x) => x.timerId),
    sleepMs: () => i.map((x) => x.sleepMs),
    steps: () => i.map((x) => x.stepsAdded),
    hold: () => i.map((x) => x.hold === true),
    awaited: () => i.map((x) => x.awaited ?? 0),
    leaseFor: () => i.map((x) => x.leaseMs ?? null),
    fresh: () => i.map((x) => x.fresh === true),
    local: () => i.map((x) => encodeLocalCalls(local.get(x.id) ?? [], b.owner)),
    owner: () => b.owner ?? null,
    dInstance: () => b.delivered.map((c) => c.instanceId),
    dCall: () => b.delivered.map((c) => c.callId),
    rInstance: () => r.map((x) => x.instanceId),
    rCall: () => r.map((x) => x.callId),
    rAttempt: () => r.map((x) => x.attempt),
    rKind: () => r.map((x) => x.kind),
    rSuccess: () => r.map((x) => x.success),
    rResult: () => r.map((x) => x.resultJson),
    rDelay: () => r.map((x) => x.delayMs),
    rWorker: () => r.map((x) => x.worker),
    rStarted: () => r.map((x) => x.startedAt),
    rAction: () => r.map((x) => x.action),
    rArgs: () => r.map((x) => x.argsJson),
    rPolicy: () => r.map((x) => x.policyJson),
    rLost: () => r.map((x) => x.lost === true),
    cInstance: () => queued.map((c) => c.instanceId),
    cCall: () => queued.map((c) => c.callId),
    cAction: () => queued.map((c) => c.action),
    cArgs: () => queued.map((c) => c.argsJson),
    cPolicy: () => queued.map((c) => c.policyJson),
    wInstance: () => waits.map((c) => c.instanceId),
    wCall: () => waits.map((c) => c.callId),
    wAction: () => waits.map((c) => c.action),
    wArgs: () => waits.map((c) => (c.wait === "child" ? "[]" : c.argsJson)),
    wWait: () => waits.map((c) => c.wait),
    wMs: () => waits.map((c) => c.timeoutMs ?? 0),
    kVersion: () => kids.map((c) => c.childVersionId),
    kName: () => kids.map((c) => c.action),
    kInput: () => kids.map((c) => c.argsJson),
    kParent: () => kids.map((c) => c.instanceId),
    kCall: () => kids.map((c) => c.callId),
    leaseMs: () => b.leaseMs ?? 30_000,
    aInstance: () => b.abandon.map((c) => c.instanceId),
    aCall: () => b.abandon.map((c) => c.callId),
  };
  const parts: Parts = {
    dispatch: queued.length > 0,
    records: r.length > 0,
    delivered: b.delivered.length > 0,
    abandon: b.abandon.length > 0,
    repeat: b.repeat === true,
    fresh: i.some((x) => x.fresh === true),
    local: local.size > 0,
    waits: waits.length > 0,
    kids: kids.length > 0,
  };
  // One named statement per combination of parts: waymark_persist_instances_<bits>.
  const key = Object.values(parts)
    .map((v) => (v ? "1" : "0"))
    .join("");
  let entry = texts.get(key);
  if (!entry) {
    // Built once per variant; the order of its parameters is recorded with it.
    const p = new Params();
    entry = { text: persistText(parts, p), order: p.order };
    texts.set(key, entry);
  }
  const res = await db.query<{ persisted: string[] | null }>({
    name: `waymark_persist_instances_${key}`,
    text: entry.text,
    values: entry.order.map((name) => {
      const value = all[name];
      if (!value) throw new Error(`persistInstances: no parameter ${name}`);
      const v = value();
      return Array.isArray(v) ? arrayLiteral(v) : v;
    }),
  });
  const persisted = new Set(res.rows[0]?.persisted ?? []);
  // A written instance's local calls are charged by this commit (or, repeated, by the one that
  // wrote the same row: `already`) and are to be run now.
  const localStarted = new Set<string>();
  for (const [id, calls] of local)
    if (persisted.has(id)) for (const c of calls) localStarted.add(`${id}/${c.callId}`);
  return { persisted, localStarted };
}
