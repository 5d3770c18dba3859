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
  deleteSchedule,
  IdempotencyKeyConflictError,
  listSchedules,
  pauseSchedule,
  RetryPolicy,
  type RetryPolicyInit,
  resumeSchedule,
  type ScheduleInfo,
  type ScheduleOptions,
  type SignalWaitOptions,
  type StartOptions,
  scheduleWorkflow,
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
