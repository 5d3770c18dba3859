// `waymark/testing`: unit tests of workflows in memory, on a virtual clock (see
// TestEnvironment.ts and the README's Testing section).
export type { AttemptRecord, CallRecord } from "./callLog.js";
export {
  createTestEnvironment,
  type InstanceRecord,
  TestEnvironment,
  type TestEnvironmentOptions,
  type TestWorkflowHandle,
} from "./TestEnvironment.js";
