export { type ActionContext, actionContext } from "./actionContext.js";
export { executeAction } from "./executeAction.js";
export { WorkerPool, type WorkerPoolOptions } from "./WorkerPool.js";
export { WorkerProcess } from "./WorkerProcess.js";
