// The interpreter's entry points: startState and advance.
//
// advance() is pure and total for well-formed input: whatever the workflow or its IR does, it
// returns a result (a deterministic failure becomes blocked {type:"done", outcome: ok:false}).
// It throws only for programmer errors in its own inputs: a state not made by startState/
// decodeState, or a malformed event (not an object, unknown type, non-integer id, an action
// outcome without a boolean `ok`).
//
// Events: applied in array order. An outcome for a call of the current wait is recorded once
// (duplicates ignored); outcomes for anything else (abandoned calls, unknown ids, old timers)
// are ignored. Promise.all resumes at the first failure in event order. A concurrent run of
// action statements resumes as the sequential program would: at the first statement, in
// statement order, whose call failed, once every statement before it has its outcome (so the
// error caught and the bindings made do not depend on which call answered first). The
// still-pending calls of a resumed wait are abandoned with an `abandon` command.
import type { Program } from "../ir/types.js";
import { errorToValue, isErrorValue } from "../values/index.js";
import { resumeWait } from "./effects.js";
import { Machine } from "./machine.js";
import { asState, type State } from "./state.js";
import type {
  AdvanceOptions,
  AdvanceResult,
  Blocked,
  Event,
  InstanceState,
  Outcome,
} from "./types.js";

export const DEFAULT_STEP_BUDGET = 100_000;

export function startState(program: Program, args: unknown[]): InstanceState {
  if (!Array.isArray(args)) throw new TypeError("startState: args must be an array");
  const st: State = {
    v: 1,
    steps: 0,
    nextCallId: 1,
    nextTimerId: 1,
    start: [...args],
    frames: [],
    wait: null,
    outcomes: new Map(),
    done: null,
  };
  void program;
  return st as unknown as InstanceState;
}

function checkEvent(ev: Event): void {
  if (ev === null || typeof ev !== "object")
    throw new TypeError("advance: an event must be an object");
  if (ev.type === "action") {
    if (!Number.isInteger(ev.callId))
      throw new TypeError("advance: action event without an integer callId");
    if (!ev.outcome || typeof ev.outcome.ok !== "boolean") {
      throw new TypeError(`advance: action event ${ev.callId} without an outcome {ok: boolean}`);
    }
  } else if (ev.type === "timer") {
    if (!Number.isInteger(ev.timerId))
      throw new TypeError("advance: timer event without an integer timerId");
  } else {
    throw new TypeError(
      `advance: unknown event type ${JSON.stringify((ev as { type: unknown }).type)}`,
    );
  }
}

function apply(st: State, ev: Event): void {
  const w = st.wait;
  if (!w) return;
  if (ev.type === "timer") {
    if (w.t === "timer" && w.timerId === ev.timerId) w.fired = true;
    return;
  }
  if (w.t === "timer") return;
  const ids = w.t === "actions" ? w.calls.map((c) => c.id) : w.calls;
  const at = ids.indexOf(ev.callId);
  if (at < 0 || st.outcomes.has(ev.callId)) return;
  if (w.failed !== null) {
    // Promise.all: the first failure in event order decides. An action run: only statements
    // before the failed one can still matter (an earlier failure is the one met first).
    if (w.t === "actions") {
      if (at > ids.indexOf(w.failed)) return;
    } else if (w.mode === "all") return;
  }
  const outcome: Outcome = ev.outcome.ok
    ? { ok: true, value: ev.outcome.value }
    : {
        ok: false,
        error: isErrorValue(ev.outcome.error) ? ev.outcome.error : errorToValue(ev.outcome.error),
      };
  st.outcomes.set(ev.callId, outcome);
  if (!outcome.ok) w.failed = ev.callId;
}

function blockedOf(st: State): Blocked {
  if (st.done) return { type: "done", outcome: st.done };
  const w = st.wait;
  if (!w) throw new Error("interpreter stopped without waiting or finishing");
  if (w.t === "timer") return { type: "timer", timerId: w.timerId };
  let ids = w.t === "actions" ? w.calls.map((c) => c.id) : w.calls;
  // An action run with a failure waits only for the statements before it.
  if (w.t === "actions" && w.failed !== null) ids = ids.slice(0, ids.indexOf(w.failed));
  return { type: "actions", callIds: ids.filter((id) => !st.outcomes.has(id)) };
}

export function advance(
  program: Program,
  state: InstanceState,
  events: Event[],
  opts: AdvanceOptions = {},
): AdvanceResult {
  const st = asState(state);
  for (const ev of events) checkEvent(ev);
  const m = new Machine(program, st, opts.stepBudget ?? DEFAULT_STEP_BUDGET);
  if (!st.done) {
    try {
      if (st.start) {
        const args = st.start;
        st.start = null;
        m.guard(() => m.enter(program.entry, args, null));
      } else {
        for (const ev of events) apply(st, ev);
        resumeWait(m);
      }
      m.run();
    } catch (e) {
      // Defensive: the machine turns every error into an outcome; this catches bugs in it.
      m.finish({
        ok: false,
        error: {
          ...errorToValue(e),
          name: "InterpreterError",
          classChain: ["InterpreterError", "Error"],
        },
      });
    }
  }
  return {
    state: st as unknown as InstanceState,
    commands: m.commands,
    blocked: blockedOf(st),
    steps: m.steps,
  };
}
