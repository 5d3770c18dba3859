// Settles the action calls no worker will complete, on every runner heartbeat:
// - running calls whose lease lapsed (the worker or runner running them died, or its answer was
//   lost): the attempt was lost, not thrown — re-run it or fail the call (lostAttempt.ts);
// - queued calls that no live worker serves after the grace period: failed, with the fix.
// Every outcome is applied with completeActions, fenced on (call, attempt, status, and for lost
// attempts an expired lease), so a worker that comes back to life or claims the call meanwhile
// wins or loses cleanly, and two runners reaping the same call settle it once.
import { decodeStoredPolicy } from "../runtime/index.js";
import type { EngineConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import type { Completion, Store } from "../store/Store.js";
import { encodeValue } from "../values/index.js";
import { unservedActionError } from "./engineErrors.js";
import { lostCompletion } from "./lostAttempt.js";

const log = logger("runner");
const BATCH = 200;

export class CallReaper {
  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
  ) {}

  /** Running calls whose lease expired: each attempt was lost. Returns how many were settled. */
  async reapExpired(): Promise<number> {
    // A lease expires lockTtl after its last renewal, and a runner heartbeats right after
    // renewing: a runner that died is silent for at least lockTtl when its call is found here,
    // while a live one heartbeated within about one period.
    const ttl = this.cfg.lockTtlMs;
    const aliveWithin = Math.min(0.75 * ttl, Math.max(2 * this.cfg.lockHeartbeatMs, ttl / 2));
    const stranded = await this.store.findExpiredActionLeases(BATCH, aliveWithin);
    if (stranded.length === 0) return 0;
    // A call run inline whose lease expired and whose runner no longer heartbeats: that
    // runner's process died while running it — maybe because of the action. Keep the action out
    // of every runner's process from now on. (A lease that lapsed under a live runner — an
    // answer lost on the way, a stalled connection — says nothing against the action.)
    const inRunners = stranded.filter((c) => c.worker?.startsWith("runner:") && !c.workerLive);
    if (inRunners.length > 0) {
      await this.store.quarantineInlineActions(
        inRunners.map((c) => ({
          action: c.action,
          worker: c.worker,
          reason: `runner ${c.worker} stopped renewing its lease while running call ${c.callId} of instance ${c.instanceId} (attempt ${c.attempts})`,
        })),
      );
      log.error(
        `a runner died while running action(s) ${[...new Set(inRunners.map((c) => `\`${c.action}\``))].join(", ")} in its own process: they run only in worker processes from now on (waymark_inline_quarantine; lapses after a day)`,
      );
    }
    const items = stranded.map((c) =>
      lostCompletion(
        {
          instanceId: c.instanceId,
          callId: c.callId,
          action: c.action,
          attempt: c.attempts,
          lostBefore: c.lostAttempts,
          policy: decodeStoredPolicy(c.policy),
          worker: c.worker,
          how: c.workerLive
            ? "did not renew the call's lease (its answer was lost or it stalled)"
            : "stopped renewing its lease (the process is gone)",
        },
        this.cfg.maxLostAttempts,
      ),
    );
    const n = await this.store.completeActions(items, { fromStatus: "running", expiredOnly: true });
    if (n > 0) {
      const failed = items.filter((i) => i.kind === "failed").length;
      log.warn(
        `lease expired on ${n} action call(s), attempts lost: ${stranded
          .slice(0, 5)
          .map(
            (c) =>
              `${c.action} (instance ${c.instanceId}, call ${c.callId}, attempt ${c.attempts}, worker ${c.worker ?? "?"})`,
          )
          .join(
            ", ",
          )}; ${failed > 0 ? `${failed} failed (onLost: "fail" or out of lost attempts), ` : ""}the others run again`,
      );
    }
    return n;
  }

  /** Queued calls no live worker serves after the grace period: failed with the fix. */
  async failUnserved(liveMs: number): Promise<number> {
    const grace = this.cfg.unservedActionGraceMs;
    const stranded = await this.store.findUnservedActions(grace, liveMs, BATCH);
    if (stranded.length === 0) return 0;
    const items: Completion[] = stranded.map((c) => ({
      instanceId: c.instanceId,
      callId: c.callId,
      attempt: c.attempts,
      kind: "failed",
      success: false,
      resultJson: JSON.stringify(encodeValue(unservedActionError(c.action, grace))),
      delayMs: 0,
      worker: null,
      startedAt: null,
    }));
    const n = await this.store.completeActions(items, { fromStatus: "queued" });
    if (n > 0)
      log.error(
        `no workers serve action(s) ${[...new Set(stranded.map((c) => `\`${c.action}\``))].join(", ")}: failed ${n} call(s) after ${grace}ms`,
      );
    return n;
  }
}
