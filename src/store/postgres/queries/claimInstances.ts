// Claims runnable instances for one runner.
//
// Locking: FOR UPDATE SKIP LOCKED in the picking subquery, so concurrent runners take disjoint
// rows without waiting on each other (a plain FOR UPDATE would serialize them on the same
// oldest rows; advisory locks would need a second round trip to release). A row is runnable when
// its wake-up is due, or when its lease expired (its runner died while holding it); a live lease
// excludes it. The claim bumps `fence`: every later write by this runner checks it, so the
// previous holder (if it is in fact alive) commits nothing.
import { moveLocalCallsSql } from "./localCalls.js";
import type { Queryable } from "./types.js";

export interface ClaimedInstance {
  id: string;
  fence: string;
  versionId: string;
  workflowName: string;
  state: string | null;
  input: unknown;
  timerId: number | null;
  timerDue: boolean;
  steps: number;
  /** Not claimed: announced by its insert, to be claimed by its first write (a fresh write,
   *  persistInstances.ts). Its fence is the insert's, 0. */
  fresh?: boolean;
}

/** What a claim reads of each row it picks, under the row lock: the local calls of a holder whose
 *  lease expired are moved into waymark_action_calls by the same statement (localCalls.ts). */
const PICKED_COLUMNS = "id, local_calls, lease_owner, lease_expires_at, updated_at";

/** What a claim (or an adoption) returns of each row it leased: see ClaimedInstance. */
const CLAIMED_COLUMNS = `i.id, i.fence, i.version_id, i.workflow_name, i.state, i.input, i.timer_id,
                     (i.timer_due_at <= now()) as timer_due, i.steps`;

export async function claimInstances(
  db: Queryable,
  owner: string,
  limit: number,
  leaseMs: number,
): Promise<ClaimedInstance[]> {
  const res = await db.query<ClaimRow>({
    name: "waymark_claim_instances",
    // Three index-ordered picks, each locking as it goes: due instances that outrank the
    // default priority, highest first (waymark_instances_urgent, 0011_start_options.sql), then
    // the other due ones by age (waymark_instances_wake) and, filling what is left of the limit,
    // instances whose runner died holding them (waymark_instances_lease). One `or` over both would be a scan of the
    // whole table (every finished instance included) on each claim.
    text: `with urgent as (
             select ${PICKED_COLUMNS} from waymark_instances
             where priority > 0 and wake_at <= now()
               and (lease_expires_at is null or lease_expires_at < now())
               and status not in ('completed', 'failed', 'cancelled')
             order by priority desc, wake_at
             limit $2
             for update skip locked
           ),
           due as (
             select ${PICKED_COLUMNS} from waymark_instances
             where wake_at <= now() and priority <= 0
               and (lease_expires_at is null or lease_expires_at < now())
               and status not in ('completed', 'failed', 'cancelled')
             order by wake_at
             limit greatest(0, $2 - (select count(*) from urgent))
             for update skip locked
           ),
           expired as (
             select ${PICKED_COLUMNS} from waymark_instances
             where lease_expires_at < now() and (wake_at is null or wake_at > now())
               and status not in ('completed', 'failed', 'cancelled')
             order by lease_expires_at
             limit greatest(0, $2 - (select count(*) from urgent) - (select count(*) from due))
             for update skip locked
           ),
           picked as (select * from urgent union all select * from due union all select * from expired),
           moved as (${moveLocalCallsSql("picked", false)}),
           async_commit as (select set_config('synchronous_commit', 'off', true))
           update waymark_instances i set
             lease_owner = $1,
             lease_expires_at = now() + $3 * interval '1 millisecond',
             fence = i.fence + 1,
             wake_at = null,
             status = 'running',
             local_calls = null,
             started_at = coalesce(i.started_at, now())
           from picked, async_commit where i.id = picked.id
           returning ${CLAIMED_COLUMNS}`,
    values: [owner, limit, leaseMs],
  });
  return res.rows.map(toClaimed);
}

/**
 * Re-claims the instances leased to `owner` that it does not know it holds (`known`): a claim
 * that committed while its answer was lost (a dropped connection, a query timeout firing after
 * the process was paused), or a held write whose statement could not be repeated. Without this
 * they would wait out their lease. Bumps the fence like a claim, so a write of the lost batch
 * that is still in flight somewhere is refused. Only leased rows are read (the lease index).
 */
export async function adoptInstances(
  db: Queryable,
  owner: string,
  known: string[],
  leaseMs: number,
): Promise<ClaimedInstance[]> {
  const res = await db.query<ClaimRow>({
    name: "waymark_adopt_instances",
    text: `with picked as (
             select ${PICKED_COLUMNS} from waymark_instances
             where lease_expires_at is not null and lease_owner = $1
               and not (id = any($2::bigint[]))
               and status not in ('completed', 'failed', 'cancelled')
             for update skip locked
           ),
           moved as (${moveLocalCallsSql("picked", false)})
           update waymark_instances i set
             lease_expires_at = now() + $3 * interval '1 millisecond',
             fence = i.fence + 1,
             wake_at = null,
             local_calls = null
           from picked where i.id = picked.id
           returning ${CLAIMED_COLUMNS}`,
    values: [owner, known, leaseMs],
  });
  return res.rows.map(toClaimed);
}

type ClaimRow = {
  id: string;
  fence: string;
  version_id: string;
  workflow_name: string;
  state: string | null;
  input: unknown;
  timer_id: number | null;
  timer_due: boolean | null;
  steps: string;
};

const toClaimed = (r: ClaimRow): ClaimedInstance => ({
  id: r.id,
  fence: r.fence,
  versionId: r.version_id,
  workflowName: r.workflow_name,
  state: r.state,
  input: r.input,
  timerId: r.timer_id,
  timerDue: r.timer_due === true,
  steps: Number(r.steps),
});

/** Milliseconds until the next instance wake-up or lease expiry (null when nothing is due). */
export async function nextInstanceWakeMs(db: Queryable): Promise<number | null> {
  const res = await db.query<{ ms: number | null }>({
    name: "waymark_next_instance_wake",
    // least()/greatest() ignore NULLs: the case keeps "nothing scheduled" as null instead of
    // "due now" (which would make the runner poll in a busy loop).
    text: `with due as (
             select least(
               (select min(wake_at) from waymark_instances where wake_at is not null),
               (select min(lease_expires_at) from waymark_instances where lease_expires_at is not null)
             ) as at
           )
           select case when at is null then null
                  else greatest(0, extract(epoch from (at - now())) * 1000)::float8 end as ms
           from due`,
  });
  return res.rows[0]?.ms ?? null;
}

/** Extends the leases this runner holds (heartbeat), except held sleeps'. Returns the ids
 *  renewed. */
export async function renewInstanceLeases(
  db: Queryable,
  owner: string,
  ids: string[],
  leaseMs: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const res = await db.query<{ id: string }>({
    name: "waymark_renew_instance_leases",
    // SKIP LOCKED: a row locked right now is being written by this runner's own persist
    // statement (or taken by a cancel); the caller tries the rows left out again moments later
    // (Maintenance.renewLeases). Waiting for them instead deadlocked against the persist statement
    // (the two lock their rows in different orders), and each deadlock stalled both for
    // deadlock_timeout (1 s) before one was retried. The persist statement does not renew the
    // lease itself: changing the indexed lease_expires_at would make every step's update
    // non-HOT (+110 B of WAL per action in A).
    text: `with mine as (
             select id from waymark_instances
             where id = any($2::bigint[]) and lease_owner = $1
               -- A held sleep keeps the lease its write gave it (deadline + grace): not renewed.
               and status <> 'sleeping'
             for update skip locked
           )
           update waymark_instances w set lease_expires_at = now() + $3 * interval '1 millisecond'
           from mine where w.id = mine.id
           returning w.id`,
    values: [owner, ids, leaseMs],
  });
  return res.rows.map((r) => r.id);
}
