// Where the batches of a runner come from: claim loops that claim due instances with leases
// (and, after a connection failure, take back the ones whose claim answer was lost), and new
// instances started from their insert's notification without a claim. The live runners split
// those notifications between them by instance id.
import { failpoints } from "../failpoints/failpoint.js";
import type { EngineConfig } from "../store/config.js";
import { isTransientDbError } from "../store/isTransientDbError.js";
import { logger } from "../store/log.js";
import type { CallRef } from "../store/postgres/queries/persistInstances.js";
import {
  type FreshInstance,
  parseFreshPayload,
  parseRunnersPayload,
} from "../store/postgres/queries/types.js";
import type { ClaimedInstance, Store, StoredOutcome } from "../store/Store.js";
import type { RunnerState } from "./RunnerState.js";
import type { Step } from "./Step.js";
import type { StepWriter } from "./StepWriter.js";
import { Wakeup } from "./Wakeup.js";

const log = logger("runner");

/** Steps waiting for the continuation loop beyond which announced new instances are left to
 *  be claimed (after FRESH_GRACE_MS) instead of started from their notification. */
const MAX_FRESH_BACKLOG = 10_000;

export class Intake {
  /** Wakes the claim loops: a notification of runnable instances, or stop(). */
  readonly wake = new Wakeup();
  /** Live runners, sorted (ownsFresh); this one among them. */
  private runners: string[] = [];
  /** Runners that announced they are stopping (left out of `runners`). */
  private readonly leaving = new Set<string>();
  /** Start announced new instances from their notification (WAYMARK_FRESH_STARTS=0: leave
   *  them to claims, after FRESH_GRACE_MS — tests of the claim path). */
  private readonly freshStarts = process.env.WAYMARK_FRESH_STARTS !== "0";
  private claimsInFlight = 0;
  private adopting?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly state: RunnerState,
    private readonly writer: StepWriter,
    private readonly batchSize: number,
  ) {}

  /** The listener of CHANNEL_INSTANCES. One claim per notification: the loop it wakes claims
   *  everything due, and wakes another loop when it found a full burst. A new instance's
   *  notification carries what its first step needs: it is started from there, with no claim
   *  (takeFresh). */
  readonly hear = (_channel: string, payload: string): void => {
    const runner = parseRunnersPayload(payload);
    if (runner) {
      if (runner.leaving) this.leaving.add(runner.id);
      void this.refreshRunners().catch(() => {});
      return;
    }
    const fresh = this.freshStarts ? parseFreshPayload(payload) : undefined;
    if (fresh === undefined) this.wake.notifyOne();
    else if (this.ownsFresh(fresh.id)) this.takeFresh(fresh);
  };

  /** Whether this runner starts the announced instance `id`: every runner hears every
   *  announcement, and the live runners split them by id (each in its own sorted list of them,
   *  refreshed every heartbeat). Lists that disagree for a while (a runner started or stopped)
   *  make two runners write the same first step — the row takes one, the other is left out — or
   *  none, and the instance is claimed after FRESH_GRACE_MS. */
  private ownsFresh(id: string): boolean {
    const n = this.runners.length;
    if (n <= 1) return true;
    return this.runners[Number(BigInt(id) % BigInt(n))] === this.state.id;
  }

  async refreshRunners(): Promise<void> {
    const live = await this.store.liveRunners(2 * this.cfg.lockHeartbeatMs + 1000);
    // A runner that said it is leaving is left out (its row stays until it has stopped).
    for (const id of this.leaving) if (!live.includes(id)) this.leaving.delete(id);
    const mine = live.filter((id) => !this.leaving.has(id));
    if (!mine.includes(this.state.id)) mine.push(this.state.id);
    this.runners = mine.sort();
  }

  /** Starts an instance announced by its insert: its first step goes into the next
   *  continuation statement, which claims it (a fresh write: only if the row is still as
   *  inserted). Left to a claim when stopping or with a backlog too long: the insert delayed its
   *  wake-up by FRESH_GRACE_MS, after which any runner claims it. */
  private takeFresh(f: FreshInstance): void {
    if (this.state.stopping || this.state.conts.length >= MAX_FRESH_BACKLOG) return;
    // In `held` from here: an adoption (after a lost answer) leaves it to this runner's write.
    this.state.held.add(f.id);
    this.state.conts.push({
      inst: {
        id: f.id,
        fence: "0",
        versionId: f.versionId,
        workflowName: f.workflowName,
        state: null,
        input: f.input,
        timerId: null,
        timerDue: false,
        steps: 0,
        fresh: true,
      },
      outcomes: [],
      records: [],
    });
    this.state.contWake.notify();
  }

  async loop(index: number): Promise<void> {
    let errorDelay = 50;
    while (!this.state.stopping) {
      const mark = this.wake.mark();
      try {
        const claimed = await this.claim();
        errorDelay = 50;
        if (claimed.length === 0) {
          // Loop 0 alone tracks the next deadline (timers, expired leases); the others wait for
          // a notification or the poll interval: an empty wake-up costs one read per loop.
          const next = index === 0 ? await this.store.nextInstanceWakeMs() : null;
          // +5 ms: a deadline computed from the database clock must have passed when we claim.
          const ms = Math.min(
            this.cfg.pollIntervalMs,
            next === null ? Number.POSITIVE_INFINITY : next + 5,
          );
          await this.wake.wait(ms, mark);
          continue;
        }
        // A burst (timers send no notification): let the other loops claim in parallel.
        if (claimed.length >= 32) this.wake.notifyOne();
        try {
          await this.processBatch(claimed);
        } finally {
          for (const c of claimed)
            if (!this.state.localHeld.has(c.id)) this.state.held.delete(c.id);
        }
      } catch (e) {
        if (isTransientDbError(e)) this.state.mayHaveOrphans = true;
        log.error(`runner loop error: ${(e as Error).message}`);
        await this.wake.wait(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5000);
      }
    }
  }

  /** Claims due instances — or, first, after a connection failure, takes back the instances
   *  leased to this runner that it does not know it holds (a claim whose answer was lost).
   *  Only while no other claim of this runner is in flight: its rows are not in `held` yet
   *  (claimed rows enter `held` before the count of claims in flight drops). */
  private async claim(): Promise<ClaimedInstance[]> {
    // Nor does a claim start while an adoption is in flight: the rows it claimed could be
    // committed before the adoption's statement runs, and be taken from under it.
    while (this.adopting) await this.adopting;
    const adopt = this.state.mayHaveOrphans && this.claimsInFlight === 0;
    if (adopt) this.state.mayHaveOrphans = false;
    let adopted: () => void = () => {};
    if (adopt)
      this.adopting = new Promise<void>((r) => {
        adopted = () => {
          this.adopting = undefined;
          r();
        };
      });
    this.claimsInFlight++;
    const hold = (rows: ClaimedInstance[]) => {
      for (const c of rows) this.state.held.add(c.id);
      return rows;
    };
    try {
      if (adopt) {
        const orphans = await this.store.adoptInstances(
          this.state.id,
          [...this.state.held],
          this.cfg.lockTtlMs,
        );
        if (orphans.length > 0) {
          log.warn(
            `took back ${orphans.length} instance(s) leased to this runner whose claim or write was not seen through (a lost answer)`,
          );
          return hold(orphans);
        }
      }
      const claimed = await this.store.claimInstances(
        this.state.id,
        this.batchSize,
        this.cfg.lockTtlMs,
      );
      // `error` here is a claim whose answer was lost: committed, never seen.
      if (failpoints.on && claimed.length > 0) await failpoints.hit("after_claim_commit");
      return hold(claimed);
    } catch (e) {
      if (adopt) this.state.mayHaveOrphans = true;
      throw e;
    } finally {
      this.claimsInFlight--;
      adopted();
    }
  }

  private async processBatch(claimed: ClaimedInstance[]): Promise<void> {
    // A new instance (no state yet) has no calls: no outcome read for a batch of only those.
    const started = claimed.filter((c) => c.state !== null).map((c) => c.id);
    const outcomes = started.length > 0 ? await this.store.loadOutcomes(started) : [];
    if (failpoints.on && outcomes.length > 0) await failpoints.hit("after_outcomes_loaded");
    const byInstance = new Map<string, StoredOutcome[]>();
    for (const o of outcomes) {
      const list = byInstance.get(o.instanceId) ?? [];
      list.push(o);
      byInstance.set(o.instanceId, list);
    }
    const delivered: CallRef[] = [];
    const steps: Step[] = claimed.map((inst) => {
      const mine = byInstance.get(inst.id) ?? [];
      for (const o of mine) delivered.push({ instanceId: inst.id, callId: o.callId });
      return { inst, outcomes: mine, records: [] };
    });
    await this.writer.advanceAndPersist(steps, delivered);
  }
}
