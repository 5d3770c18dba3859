export { Runner, type RunnerOptions } from "./Runner.js";
export { Wakeup } from "./Wakeup.js";
export * from "./engineErrors.js";
