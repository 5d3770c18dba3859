// The context of the action attempt being executed, available anywhere in its async call tree.
import { AsyncLocalStorage } from "node:async_hooks";

export interface ActionContext {
  /** Fires when the attempt passes its deadline (reason: an ActionTimeout error) or the worker
   *  shuts down hard. Long actions should pass it to fetch() and check it in loops. */
  signal: AbortSignal;
  /** This attempt's number, 1-based; already counted against the retry budget. */
  attempt: number;
  instanceId: string;
  callId: number;
  action: string;
}

export const actionStorage = new AsyncLocalStorage<ActionContext>();

/** The current attempt's context. Throws outside an action run by a Waymark worker. */
export function actionContext(): ActionContext {
  const ctx = actionStorage.getStore();
  if (!ctx) throw new Error("actionContext() was called outside an action run by a Waymark worker");
  return ctx;
}
