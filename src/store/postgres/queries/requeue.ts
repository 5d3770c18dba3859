// Requeue a failed run from its failed step: the run resumes from the state it had before the
// step that failed (kept on the row by InstanceAdvancer), with the action calls that step was
// waiting for and did not complete queued again — the steps before it are not run again.
//
// Invariants:
// - Only a run that failed on an action call can be requeued: the step's wait must hold a call
//   that failed or was abandoned. A run that failed in its own code would fail the same way;
//   a wait on a child workflow, a signal or a sleep cannot be made again — both are refused
//   with the reason, and nothing is written.
// - A requeued call starts a fresh retry budget: its earlier attempts stay in
//   waymark_action_attempts with their number negated (-1, -2, …: "before the requeue"), so
//   the history is kept and the new attempts count from 1 again.
// - The wake counters (0005_wake_counters.sql) stay consistent: the completed calls of the wait
//   are delivered again (the interpreter ignores outcomes it already has), and calls_done counts
//   them, so the run's next step, claimed at once, absorbs them and waits for the requeued ones.
// - One transaction with the instance row locked: a second requeue, or a cancel, sees a run
//   that is no longer failed.
import type pg from "pg";
import { decodeState } from "../../../runtime/state.js";
import { withTransaction } from "../pool.js";
import { CHANNEL_ACTIONS, CHANNEL_INSTANCES } from "./types.js";

export type RequeueResult = { ok: true; calls: number[] } | { ok: false; reason: string };

export async function requeueFromFailure(pool: pg.Pool, id: string): Promise<RequeueResult> {
  return withTransaction(pool, async (c) => {
    const inst = await c.query<{ status: string; state: string | null }>(
      "select status, state from waymark_instances where id = $1 for update",
      [id],
    );
    const row = inst.rows[0];
    if (!row) return { ok: false, reason: `run ${id} does not exist` };
    if (row.status !== "failed")
      return { ok: false, reason: `run ${id} is ${row.status}, not failed` };
    if (row.state === null)
      return {
        ok: false,
        reason:
          "the run failed before its first step (or before requeue was kept): run it again instead",
      };
    let ids: number[];
    try {
      const w = (
        decodeState(row.state) as unknown as { wait: { t: string; calls: unknown[] } | null }
      ).wait;
      ids =
        w && w.t !== "timer"
          ? w.calls.map((x) => (typeof x === "number" ? x : (x as { id: number }).id))
          : [];
    } catch (e) {
      return { ok: false, reason: `its state cannot be read: ${(e as Error).message}` };
    }
    const calls = await c.query<{
      call_id: number;
      status: string;
      wait: string | null;
      delivered: boolean;
    }>(
      `select call_id, status, wait, delivered from waymark_action_calls
        where instance_id = $1 and call_id = any($2::int[]) order by call_id`,
      [id, ids],
    );
    const again = calls.rows.filter((r) => r.status !== "completed");
    if (again.length === 0)
      return {
        ok: false,
        reason:
          "the run failed in its own code, not in an action call: requeued, it would fail the same way",
      };
    const other = again.find((r) => r.wait !== null);
    if (other)
      return {
        ok: false,
        reason: `its failed step waits for a ${other.wait} (call ${other.call_id}), which cannot be made again: run it again instead`,
      };
    const redo = again.map((r) => r.call_id);
    const redeliver = calls.rows.filter((r) => r.status === "completed" && r.delivered).length;
    // Earlier attempts, kept negated: the history rows, then the attempt the call row holds.
    await c.query(
      `update waymark_action_attempts set attempt = -attempt
        where instance_id = $1 and call_id = any($2::int[]) and attempt > 0`,
      [id, redo],
    );
    await c.query(
      `insert into waymark_action_attempts (instance_id, call_id, attempt, worker, started_at, finished_at, success, result, lost)
       select instance_id, call_id, -attempts, worker, started_at, coalesce(finished_at, now()),
              coalesce(success, false), result,
              lost_attempts > 0 and coalesce(result ->> 'name' = 'WorkerLostError', false)
         from waymark_action_calls
        where instance_id = $1 and call_id = any($2::int[]) and attempts > 0
       on conflict do nothing`,
      [id, redo],
    );
    await c.query(
      `update waymark_action_calls
          set status = 'queued', attempts = 0, lost_attempts = 0, success = null, result = null,
              delivered = false, scheduled_at = now(), started_at = null, finished_at = null,
              worker = null, lease_expires_at = null
        where instance_id = $1 and call_id = any($2::int[])`,
      [id, redo],
    );
    await c.query(
      `update waymark_action_calls set delivered = false
        where instance_id = $1 and call_id = any($2::int[]) and status = 'completed'`,
      [id, ids],
    );
    await c.query(
      `update waymark_instances
          set status = 'waiting', error = null, result = null, finished_at = null, wake_at = now(),
              fence = fence + 1, lease_owner = null, lease_expires_at = null, local_calls = null,
              calls_done = calls_done + $2, updated_at = now()
        where id = $1`,
      [id, redeliver],
    );
    await c.query(
      `select pg_notify('${CHANNEL_INSTANCES}', ''), pg_notify('${CHANNEL_ACTIONS}', '')`,
    );
    return { ok: true, calls: redo };
  });
}
