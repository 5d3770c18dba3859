// The authoring surface of the `waymark` package (see SPEC §2).
export { type ActionDefinition, action, actionRegistry } from "./action.js";
export { ActionTimeout, WorkflowFailedError } from "./errors.js";
export { workflowRegistry } from "./registry.js";
export {
  type ActionOptions,
  type Backoff,
  type Duration,
  RetryPolicy,
  type RetryPolicyInit,
} from "./retry.js";
export {
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  type ScheduleInfo,
  type ScheduleOptions,
  scheduleWorkflow,
} from "./schedules.js";
export { type SignalWaitOptions, waitForSignal } from "./signal.js";
export { sleep } from "./sleep.js";
export { IdempotencyKeyConflictError, type StartOptions } from "./startOptions.js";
export { Workflow, type WorkflowOptions, workflow } from "./workflow.js";
