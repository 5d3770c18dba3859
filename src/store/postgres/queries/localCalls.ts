// Local calls held in the instance row (0008_local_calls.sql): how the runner writes them and
// how a statement that takes the instance from its holder moves them into waymark_action_calls.

/** A call the lease holder runs in its own process tree. */
export interface LocalCall {
  callId: number;
  action: string;
  argsJson: string;
  /** encodeStoredPolicy: null for a call without options. */
  policyJson: string | null;
  /** The local worker running it. */
  worker: string;
}

/** The `local_calls` text of an instance whose lease `owner` holds: null for none. Arguments and
 *  policy are embedded as written (JSON text). */
export function encodeLocalCalls(calls: LocalCall[], owner: string | undefined): string | null {
  if (calls.length === 0) return null;
  const parts = calls.map((c) => {
    let s = `{"c":${c.callId},"a":${JSON.stringify(c.action)},"x":${c.argsJson}`;
    if (c.policyJson !== null) s += `,"p":${c.policyJson}`;
    if (c.worker !== owner) s += `,"w":${JSON.stringify(c.worker)}`;
    return `${s}}`;
  });
  return `[${parts.join(",")}]`;
}

/**
 * A data-modifying CTE body inserting the local calls of the rows of `source` into
 * waymark_action_calls. `source` has the pre-update columns id, local_calls, lease_owner,
 * lease_expires_at and updated_at, read under the row lock (FOR UPDATE returns the current
 * version of a row another statement updated meanwhile). `cancelled`: written abandoned;
 * otherwise running with a lease that has expired, for the reaper to requeue or fail (the holder
 * may have started them: attempt 1 stays charged). The statement must set local_calls to null.
 * ON CONFLICT: a belt over the invariant that no row exists yet; these statements are rare.
 */
export function moveLocalCallsSql(source: string, cancelled: boolean): string {
  return `insert into waymark_action_calls (instance_id, call_id, action_name, args, policy,
             status, attempts, worker, lease_expires_at, started_at, finished_at)
           select p.id, (e->>'c')::int, e->>'a', e->'x', (e->'p')::jsonb,
             ${cancelled ? "'abandoned'" : "'running'"}, 1, coalesce(e->>'w', p.lease_owner),
             ${cancelled ? "null" : "least(p.lease_expires_at, now())"}, p.updated_at,
             ${cancelled ? "now()" : "null"}
           from ${source} p cross join lateral json_array_elements(p.local_calls) e
           where p.local_calls is not null
           on conflict do nothing
           returning 1`;
}
