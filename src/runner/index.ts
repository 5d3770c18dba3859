export * from "./engineErrors.js";
export { Runner, type RunnerOptions } from "./Runner.js";
export { Wakeup } from "./Wakeup.js";
