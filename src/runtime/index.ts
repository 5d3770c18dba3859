// The Waymark interpreter: pure startState/advance over the IR (no I/O, clock or randomness).
//
// Decisions (see each file's header for the invariants):
// - State is a small-step machine: call frames with a flat env each, and a control stack of
//   statement-level entries that reference IR nodes by their stable index (nodeIndex.ts).
//   Expressions are pure and evaluated atomically. encodeState/decodeState use encodeGraph, so
//   aliasing and cycles among workflow values survive persistence.
// - Errors raised by evaluation are JavaScript-like ErrorValues (TypeError, ReferenceError,
//   RangeError, SyntaxError…, classChain [name, "Error"]) with the JS message; the source
//   position (file:line:column) is in `stack`. They are catchable by the workflow.
// - Malformed IR (unknown node kinds, break outside a loop, unknown helper) and a workflow
//   result that cannot be stored end the instance with ok:false ("InterpreterError" /
//   TypeError). The step budget ends it with "StepBudgetExceeded" (never catchable).
// - advance() throws only for programmer errors in its inputs (a foreign state object, a
//   malformed event); see advance.ts.
// - Gathers evaluate every item's arguments before dispatching anything: an argument error
//   throws at the gather with nothing dispatched. Concurrent action runs stop before a
//   statement whose arguments fail to evaluate; that statement then runs (and throws) after
//   the run, in order. Promise.all resumes at the first failure in event order; a concurrent
//   run at its first failed statement in statement order, once the statements before it have
//   their outcomes (bound, as the sequential program would have bound them).
// - Deviations from JS for determinism and storability: Map/Set/array keys()/values()/
//   entries() return arrays; a Date converts to a string as its ISO form; `in` and property
//   reads see own properties only (never prototype members or functions).
export { advance, DEFAULT_STEP_BUDGET, startState } from "./advance.js";
export { BUILTIN_CONSTANT_VALUES, BUILTIN_FUNCTION_IMPLS } from "./builtins.js";
export { decideRetry } from "./decideRetry.js";
export { ACTION_TIMEOUT, makeActionTimeoutError } from "./errors.js";
export { METHOD_IMPLS } from "./methods.js";
export { parseDuration } from "./parseDuration.js";
export { decodeState, encodeState } from "./state.js";
export { decodeStoredPolicy, encodeStoredPolicy } from "./storedPolicy.js";
export * from "./types.js";
