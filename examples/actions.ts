// Actions used by the example workflows. Every action is deterministic and small so that the
// expected result of each example is obvious (see the comment above each workflow and
// examples/README.md). The one exception is `getTimestamp`, whose output is a clock reading by
// design; the workflow that uses it only reports whether the sleep lasted long enough.

import { action } from "waymark";
import { IntentionalError, ItemProcessingError } from "./errors.js";

// --- SequentialChainWorkflow ------------------------------------------------------------------

export const stepUppercase = action(async function stepUppercase(text: string) {
  return text.toUpperCase();
});

export const stepReverse = action(async function stepReverse(text: string) {
  return [...text].reverse().join("");
});

export const stepAddStars = action(async function stepAddStars(text: string) {
  return `**${text}**`;
});

export interface ChainResult {
  original: string;
  step1: string;
  step2: string;
  step3: string;
}

export const buildChainResult = action(async function buildChainResult(
  original: string,
  step1: string,
  step2: string,
  step3: string,
): Promise<ChainResult> {
  return { original, step1, step2, step3 };
});

// --- ParallelMathWorkflow ---------------------------------------------------------------------

export const computeFactorial = action(async function computeFactorial(n: number) {
  if (n < 0) throw new RangeError(`factorial of a negative number: ${n}`);
  let out = 1;
  for (let i = 2; i <= n; i++) out *= i;
  return out;
});

export const computeFibonacci = action(async function computeFibonacci(n: number) {
  if (n < 0) throw new RangeError(`fibonacci of a negative number: ${n}`);
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
});

export interface ComputationResult {
  inputNumber: number;
  factorial: number | null;
  fibonacci: number | null;
  errors: string[];
}

/** Takes the two settled outcomes as values (the `allSettled` contract: failures are data). */
export const summarizeMath = action(async function summarizeMath(input: {
  inputNumber: number;
  factorial: PromiseSettledResult<number>;
  fibonacci: PromiseSettledResult<number>;
}): Promise<ComputationResult> {
  const errors: string[] = [];
  const pick = (r: PromiseSettledResult<number>): number | null => {
    if (r.status === "fulfilled") return r.value;
    errors.push(String((r.reason as { message?: string })?.message ?? r.reason));
    return null;
  };
  return {
    inputNumber: input.inputNumber,
    factorial: pick(input.factorial),
    fibonacci: pick(input.fibonacci),
    errors,
  };
});

// --- WelcomeEmailWorkflow (variable-width fan-out) ----------------------------------------------

export interface User {
  email: string;
  active: boolean;
}

/** Fails for an address without "@", so a fan-out can show a failure as a value. */
export const sendEmail = action("send_email", async (to: string, subject: string) => {
  if (!to.includes("@")) throw new Error(`invalid address: ${to}`);
  return `sent "${subject}" to ${to}`;
});

// --- ConditionalBranchWorkflow ----------------------------------------------------------------

export interface BranchResult {
  value: number;
  tier: "high" | "medium" | "low";
}

export const evaluateHigh = action(async function evaluateHigh(
  value: number,
): Promise<BranchResult> {
  return { value, tier: "high" };
});

export const evaluateMedium = action(async function evaluateMedium(
  value: number,
): Promise<BranchResult> {
  return { value, tier: "medium" };
});

export const evaluateLow = action(async function evaluateLow(value: number): Promise<BranchResult> {
  return { value, tier: "low" };
});

// --- GuardFallbackWorkflow --------------------------------------------------------------------

/** "ada" has two notes; everybody else has none. */
export const fetchRecentNotes = action(async function fetchRecentNotes(user: string) {
  return user === "ada" ? ["wrote the first program", "met Babbage"] : [];
});

export const summarizeNotes = action(async function summarizeNotes(notes: string[]) {
  return notes.join("; ");
});

export const buildGuardFallbackResult = action(async function buildGuardFallbackResult(
  user: string,
  noteCount: number,
  summary: string,
) {
  return { user, noteCount, summary };
});

// --- LoopProcessingWorkflow / LoopExceptionWorkflow / TryPerItemWorkflow ----------------------

export const processItem = action(async function processItem(item: string) {
  return `processed:${item}`;
});

export const buildLoopResult = action(async function buildLoopResult(
  items: string[],
  processed: string[],
) {
  return { count: items.length, processed };
});

/** Fails with ItemProcessingError for every item starting with "bad". */
export const processItemMayFail = action(async function processItemMayFail(item: string) {
  if (item.startsWith("bad")) throw new ItemProcessingError(`cannot process ${item}`, item);
  return `processed:${item}`;
});

export const buildLoopExceptionResult = action(async function buildLoopExceptionResult(
  items: string[],
  processed: string[],
  errorCount: number,
) {
  return { total: items.length, processed, errorCount };
});

// --- WhileLoopWorkflow ------------------------------------------------------------------------

export const incrementCounter = action(async function incrementCounter(n: number) {
  return n + 1;
});

export const buildWhileResult = action(async function buildWhileResult(input: {
  target: number;
  final: number;
  iterations: number;
}) {
  return { ...input };
});

// --- ErrorHandlingWorkflow --------------------------------------------------------------------

export const riskyAction = action("risky_action", async (shouldFail: boolean) => {
  if (shouldFail) throw new IntentionalError("boom");
  return "ok";
});

export const successAction = action(async function successAction(result: string) {
  return `success: ${result}`;
});

export const recoveryAction = action(async function recoveryAction(reason: string) {
  return `recovered: ${reason}`;
});

export const buildErrorResult = action(async function buildErrorResult(
  attempted: boolean,
  recovered: boolean,
  message: string,
) {
  return { attempted, recovered, message };
});

// --- DurableSleepWorkflow and the drip loop ---------------------------------------------------

/** Milliseconds since the epoch, read by the worker (actions may read clocks; workflows not). */
export const getTimestamp = action(async function getTimestamp() {
  return Date.now();
});

export const formatSleepResult = action(async function formatSleepResult(
  startedMs: number,
  resumedMs: number,
  seconds: number,
) {
  return { seconds, sleptLongEnough: resumedMs - startedMs >= seconds * 1000 };
});

export const performLoopAction = action(async function performLoopAction(iteration: number) {
  return `iteration ${iteration}`;
});

// --- LoopReturnWorkflow -----------------------------------------------------------------------

export const matchesNeedle = action(async function matchesNeedle(input: {
  value: number;
  needle: number;
}) {
  return input.value === input.needle;
});

export const buildLoopReturnResult = action(async function buildLoopReturnResult(input: {
  items: number[];
  needle: number;
  found: boolean;
  value: number | null;
  checked: number;
}) {
  return { found: input.found, value: input.value, checked: input.checked };
});

// --- Actions of examples/extras.ts ------------------------------------------------------------

export * from "./extraActions.js";
