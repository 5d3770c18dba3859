// Public surface of the `waymark` package.

export { closeWaymark, type WorkflowHandle, workflowHandle } from "./client/engine.js";
export {
  type ActionDefinition,
  type ActionOptions,
  ActionTimeout,
  action,
  actionRegistry,
  type Backoff,
  type Duration,
  IdempotencyKeyConflictError,
  RetryPolicy,
  type RetryPolicyInit,
  type SignalWaitOptions,
  type StartOptions,
  sleep,
  Workflow,
  WorkflowFailedError,
  type WorkflowOptions,
  waitForSignal,
  workflow,
  workflowRegistry,
} from "./client/index.js";
export { type Diagnostic, UnsupportedPatternError } from "./compiler/index.js";
export { describeDatabase } from "./store/index.js";
export { actionContext } from "./worker/actionContext.js";
