// One step of one instance: load its program, rebuild its state and events, advance the
// interpreter, and turn the result into the instance's write and its dispatched calls. No I/O
// but loading programs (cached per version) and resolving child workflows' versions.
//
// Invariant: advanceOne() never throws for a workflow's own failure — a deterministic failure
// (an invalid IR, a state that does not decode, a value that cannot be stored, an unknown
// child workflow) becomes a failed instance write, once.
import { validate } from "../ir/index.js";
import type { Program } from "../ir/types.js";
import {
  advance,
  decodeState,
  encodeState,
  encodeStoredPolicy,
  startState,
} from "../runtime/index.js";
import type { Blocked, ErrorValue, Event, InstanceState } from "../runtime/types.js";
import type { EngineConfig } from "../store/config.js";
import type {
  CallRef,
  CallWrite,
  InstanceWrite,
} from "../store/postgres/queries/persistInstances.js";
import type { ClaimedInstance, Store, StoredOutcome } from "../store/Store.js";
import { decodeValue, encodeValue } from "../values/index.js";
import { assertPayloadSize } from "../values/payloadLimit.js";
import { ChildVersions } from "./ChildVersions.js";
import { workflowInternalError } from "./engineErrors.js";

/** advanceOne's side results: what the instance is blocked on, and its new state (kept for
 *  the next step of a held instance); `decoded` in: the state to advance, if already known. */
export interface AdvanceOut {
  blocked?: Blocked;
  state?: InstanceState;
  decoded?: InstanceState;
}

type LoadedProgram = { ok: true; program: Program } | { ok: false; reason: string };

export class InstanceAdvancer {
  private readonly programs = new Map<string, Promise<LoadedProgram>>();
  private readonly children: ChildVersions;

  constructor(
    private readonly store: Store,
    private readonly cfg: EngineConfig,
    private readonly stats: { advanced: number },
  ) {
    this.children = new ChildVersions(store);
  }

  private program(versionId: string): Promise<LoadedProgram> {
    let p = this.programs.get(versionId);
    if (!p) {
      p = this.store.loadVersion(versionId).then(
        (v): LoadedProgram => {
          const program = v.ir as Program;
          let problems: string[];
          try {
            problems = validate(program);
          } catch (e) {
            problems = [(e as Error).message];
          }
          if (problems.length > 0)
            return {
              ok: false,
              reason: `workflow "${v.name}" version "${v.version}" has an invalid IR: ${problems.slice(0, 5).join("; ")}`,
            };
          return { ok: true, program };
        },
        (e: Error): LoadedProgram => {
          this.programs.delete(versionId); // transient (database) errors are retried
          throw e;
        },
      );
      this.programs.set(versionId, p);
    }
    return p;
  }

  /** Advances one instance; never throws: a deterministic failure fails the instance once. */
  async advanceOne(
    inst: ClaimedInstance,
    outcomes: StoredOutcome[],
    dispatch: CallWrite[],
    abandon: CallRef[],
    out: AdvanceOut = {},
  ): Promise<InstanceWrite> {
    const base = {
      id: inst.id,
      fence: inst.fence,
      fresh: inst.fresh === true,
      resultJson: null,
      errorJson: null,
      timerId: null,
      sleepMs: null,
      stepsAdded: 0,
    };
    const fail = (error: ErrorValue, state: string | null = inst.state): InstanceWrite => ({
      ...base,
      status: "failed",
      state,
      errorJson: JSON.stringify(encodeValue(error, "workflow error")),
    });
    const loaded = await this.program(inst.versionId);
    if (!loaded.ok) return fail(workflowInternalError(loaded.reason));
    const program = loaded.program;

    let state: InstanceState;
    const events: Event[] = [];
    try {
      state =
        out.decoded ??
        (inst.state === null
          ? startState(program, decodeValue(inst.input as never) as unknown[])
          : decodeState(inst.state));
      for (const o of outcomes) {
        const value = decodeValue(o.result as never);
        events.push({
          type: "action",
          callId: o.callId,
          outcome: o.success ? { ok: true, value } : { ok: false, error: value as ErrorValue },
        });
      }
      if (inst.timerDue && inst.timerId !== null)
        events.push({ type: "timer", timerId: inst.timerId });
    } catch (e) {
      return fail(
        workflowInternalError(
          `could not load the state of instance ${inst.id}: ${(e as Error).message}`,
        ),
      );
    }

    let r: ReturnType<typeof advance>;
    try {
      r = advance(program, state, events, { stepBudget: this.cfg.stepBudget });
    } catch (e) {
      return fail(workflowInternalError(`the interpreter failed: ${(e as Error).message}`));
    }
    this.stats.advanced++;
    out.blocked = r.blocked;
    const instDispatch: CallWrite[] = [];
    let sleepMs: number | null = null;
    let stateText: string;
    try {
      for (const c of r.commands) {
        if (c.type === "dispatch" && c.wait) {
          const what =
            c.wait.kind === "child" ? `child workflow \`${c.action}\`` : `signal \`${c.action}\``;
          const argsJson = JSON.stringify(encodeValue(c.args, `arguments of ${what}`));
          assertPayloadSize(argsJson, `the input of ${what}`);
          const w: CallWrite = {
            instanceId: inst.id,
            callId: c.callId,
            action: c.action,
            argsJson,
            policyJson: null,
            wait: c.wait.kind,
          };
          if (c.wait.kind !== "child") w.timeoutMs = c.wait.timeoutMs;
          else {
            const versionId = await this.children.resolve(c.action);
            if (versionId === undefined)
              return fail(
                workflowInternalError(
                  `child workflow \`${c.action}\` is not registered: no engine process imports its class and no client has started it (load its module with --module)`,
                ),
              );
            w.childVersionId = versionId;
          }
          instDispatch.push(w);
        } else if (c.type === "dispatch") {
          const argsJson = JSON.stringify(
            encodeValue(c.args, `arguments of action \`${c.action}\``),
          );
          assertPayloadSize(argsJson, `the arguments of action \`${c.action}\``);
          instDispatch.push({
            instanceId: inst.id,
            callId: c.callId,
            action: c.action,
            argsJson,
            policyJson: encodeStoredPolicy(c.policy),
          });
        } else if (c.type === "sleep") {
          if (r.blocked.type === "timer" && r.blocked.timerId === c.timerId)
            sleepMs = Math.max(0, c.durationMs);
        } else if (c.type === "abandon") {
          for (const callId of c.callIds) abandon.push({ instanceId: inst.id, callId });
        }
      }
      stateText = encodeState(r.state);
      out.state = r.state;
    } catch (e) {
      return fail(
        workflowInternalError(`could not store the workflow's values: ${(e as Error).message}`),
      );
    }
    const steps = { stepsAdded: r.steps };
    const b = r.blocked;
    if (b.type === "done") {
      if (b.outcome.ok) {
        let resultJson: string;
        try {
          resultJson = JSON.stringify(encodeValue(b.outcome.value, "workflow result"));
          assertPayloadSize(resultJson, "the workflow result");
        } catch (e) {
          return { ...fail(workflowInternalError((e as Error).message)), ...steps };
        }
        dispatch.push(...instDispatch);
        return { ...base, ...steps, status: "completed", state: null, resultJson };
      }
      dispatch.push(...instDispatch);
      // The state before the failing step stays on the row: requeueing the run from that step
      // (src/store/postgres/queries/requeue.ts) resumes it.
      return { ...fail(b.outcome.error), ...steps };
    }
    dispatch.push(...instDispatch);
    if (b.type === "timer")
      return {
        ...base,
        ...steps,
        status: "sleeping",
        state: stateText,
        timerId: b.timerId,
        sleepMs,
      };
    return {
      ...base,
      ...steps,
      status: "waiting",
      state: stateText,
      awaited: b.type === "actions" ? b.callIds.length : 0,
    };
  }
}
