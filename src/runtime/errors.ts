// Errors inside the interpreter.
//
// - A workflow-level error (an ErrorValue) travels as a `Thrown` exception through expression
//   evaluation and becomes a `throw` completion on the continuation stack: catchable.
// - `InterpreterError` marks malformed IR or an impossible state: never catchable by the
//   workflow; the instance ends with ok:false and this reason.
import type { Span } from "../ir/types.js";
import type { ErrorValue } from "./types.js";

export class Thrown {
  constructor(readonly value: unknown) {}
}

export class InterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterpreterError";
  }
}

export function where(span: Span | undefined): string {
  return span ? `${span.file}:${span.line}:${span.column}` : "<unknown>";
}

/** A JavaScript-like error value raised by the interpreter itself. The message reads like the
 *  one JavaScript would give; the stack names the workflow source position. */
export function makeError(name: string, message: string, span?: Span): ErrorValue {
  return {
    name,
    message,
    stack: `${name}: ${message}\n    at ${where(span)}`,
    classChain: name === "Error" ? ["Error"] : [name, "Error"],
  };
}

export function throwError(name: string, message: string, span?: Span): never {
  throw new Thrown(makeError(name, message, span));
}

export const ACTION_TIMEOUT = "ActionTimeout";

export function makeActionTimeoutError(timeoutMs: number): ErrorValue {
  return {
    name: ACTION_TIMEOUT,
    message: `action attempt timed out after ${timeoutMs}ms`,
    classChain: [ACTION_TIMEOUT, "Error"],
    timeoutMs,
  };
}
