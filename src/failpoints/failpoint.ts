// Failpoints: named places in the engine where a fault can be injected by the fault suite
// (test/faults). Compiled in and inert unless WAYMARK_FAILPOINTS names them, e.g.
//   WAYMARK_FAILPOINTS="after_claim_commit=kill:0.05,before_completion_commit=sleep:2000*1"
// Spec per name: action[:arg][:probability][*maxHits]
//   kill            SIGKILL this process            (arg = probability)
//   stop            SIGSTOP this process (the test sends SIGCONT)
//   error           throw FailpointError             (arg = probability)
//   sleep:ms        delay this code path by ms       (next arg = probability)
// Invariants: with WAYMARK_FAILPOINTS unset, a hook costs one boolean check at the call site
// (`if (failpoints.on) …`); every hit is reported on stderr with a synchronous write *before*
// the action, so a test can prove that each failpoint it enabled was reached.
import { writeSync } from "node:fs";

export type FailpointName =
  | "after_claim_commit"
  | "after_outcomes_loaded"
  | "mid_persist"
  | "after_persist_commit"
  | "after_dispatch_commit"
  | "before_lease_refresh"
  | "before_completion_commit"
  | "after_completion_commit";

interface Spec {
  action: "kill" | "stop" | "error" | "sleep";
  ms: number;
  probability: number;
  maxHits: number;
  hits: number;
}

export class FailpointError extends Error {
  override name = "FailpointError";
}

export function parseFailpoints(text: string): Map<string, Spec> {
  const out = new Map<string, Spec>();
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq < 0) throw new Error(`WAYMARK_FAILPOINTS: "${part}" needs name=action`);
    const name = part.slice(0, eq);
    let rest = part.slice(eq + 1);
    let maxHits = Number.POSITIVE_INFINITY;
    const star = rest.indexOf("*");
    if (star >= 0) {
      maxHits = Number(rest.slice(star + 1));
      rest = rest.slice(0, star);
    }
    const [action, ...args] = rest.split(":");
    if (action !== "kill" && action !== "stop" && action !== "error" && action !== "sleep")
      throw new Error(`WAYMARK_FAILPOINTS: unknown action "${action}" for ${name}`);
    const nums = args.map(Number);
    if (nums.some((n) => !Number.isFinite(n)) || !(maxHits > 0))
      throw new Error(`WAYMARK_FAILPOINTS: bad arguments in "${part}"`);
    const ms = action === "sleep" ? (nums.shift() ?? 0) : 0;
    out.set(name, { action, ms, probability: nums[0] ?? 1, maxHits, hits: 0 });
  }
  return out;
}

const specs = parseFailpoints(process.env.WAYMARK_FAILPOINTS ?? "");

/** `on` is the hot-path guard: false unless WAYMARK_FAILPOINTS is set. */
export const failpoints = {
  on: specs.size > 0,
  /** Runs the named failpoint's action if enabled (a promise only for `sleep`). */
  hit(name: FailpointName): Promise<void> | undefined {
    const s = specs.get(name);
    if (!s || s.hits >= s.maxHits || Math.random() >= s.probability) return undefined;
    s.hits++;
    writeSync(
      2,
      `WAYMARK_FAILPOINT hit ${name} action=${s.action} pid=${process.pid} t=${Date.now()}\n`,
    );
    switch (s.action) {
      case "kill":
        process.kill(process.pid, "SIGKILL");
        return undefined;
      case "stop":
        process.kill(process.pid, "SIGSTOP");
        return undefined;
      case "error":
        throw new FailpointError(`failpoint ${name}`);
      case "sleep":
        return new Promise((r) => setTimeout(r, s.ms));
    }
  },
};
