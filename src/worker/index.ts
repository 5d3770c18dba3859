export { actionContext, type ActionContext } from "./actionContext.js";
export { WorkerPool, type WorkerPoolOptions } from "./WorkerPool.js";
export { WorkerProcess } from "./WorkerProcess.js";
export { executeAction } from "./executeAction.js";
