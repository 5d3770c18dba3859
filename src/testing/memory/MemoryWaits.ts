// Signals and deadlines of the in-memory store: waymark_send_signal (0014_lock_order.sql),
// waymark_deliver_signals, waymark_expire_waits and waymark_deliver_kept
// (0010_signals_children.sql).
import type { SendResult } from "../../store/Store.js";
import { MemoryTables } from "./MemoryTables.js";
import { type CallRow, isTerminal } from "./tables.js";

export abstract class MemoryWaits extends MemoryTables {
  /** waymark_send_signal (0014_lock_order.sql). */
  async sendSignal(id: string, name: string, payloadJson: string): Promise<SendResult> {
    const w = this.instances.get(id);
    if (!w) return "missing";
    if (isTerminal(w.status)) return w.status as SendResult;
    this.signals.push({
      id: this.nextSignal++,
      instanceId: id,
      name,
      payload: JSON.parse(payloadJson),
      callId: null,
      createdAt: this.now(),
    });
    await this.deliverSignals([id]);
    return "sent";
  }

  // --- waits (0010_signals_children.sql) --------------------------------------------------

  /** waymark_deliver_signals: per instance and name, the oldest kept signal with the oldest
   *  waiting signal call. */
  async deliverSignals(instanceIds: string[]): Promise<number> {
    const ids = new Set(instanceIds);
    const kept = this.signals.filter((s) => ids.has(s.instanceId) && s.callId === null);
    const waits = [...this.calls.values()]
      .filter((c) => ids.has(c.instanceId) && c.status === "waiting" && c.wait === "signal")
      .sort((a, b) => a.callId - b.callId);
    let settled = 0;
    const taken = new Set<CallRow>();
    for (const s of kept) {
      const c = waits.find(
        (x) => !taken.has(x) && x.instanceId === s.instanceId && x.action === s.name,
      );
      if (!c) continue;
      taken.add(c);
      if (this.settleWait(c, true, s.payload)) {
        s.callId = c.callId;
        settled++;
      }
    }
    return settled;
  }

  /** waymark_expire_waits: waits past their deadline settle with their stored result. */
  async expireWaits(limit: number): Promise<number> {
    const now = this.now();
    const due = [...this.calls.values()]
      .filter((c) => c.status === "waiting" && c.scheduledAt <= now)
      .sort((a, b) => a.scheduledAt - b.scheduledAt)
      .slice(0, limit);
    let n = 0;
    for (const c of due) if (this.settleWait(c, true, undefined)) n++;
    return n;
  }

  /** waymark_deliver_kept. */
  async deliverKeptSignals(limit: number): Promise<number> {
    const ids = new Set<string>();
    for (const s of this.signals) {
      if (s.callId !== null || ids.size >= limit) continue;
      for (const c of this.calls.values())
        if (
          c.instanceId === s.instanceId &&
          c.status === "waiting" &&
          c.wait === "signal" &&
          c.action === s.name
        ) {
          ids.add(s.instanceId);
          break;
        }
    }
    return ids.size === 0 ? 0 : this.deliverSignals([...ids]);
  }
}
