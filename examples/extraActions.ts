// Actions used by examples/extras.ts (the workflows the runtime and engine tests drive).
// Re-exported from ./actions.ts, so `examples/actions.js` names every example action.

import { action, actionContext } from "waymark";

/** Fails on attempts 1 and 2 and succeeds on attempt 3 (attempts are 1-based). */
export const flakyUntilThird = action(async function flakyUntilThird(label: string) {
  const { attempt } = actionContext();
  if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
  return { label, attempt };
});

/** On attempts before `succeedOnAttempt`, waits until its AbortSignal fires (the timeout) and
 *  rejects with the signal's reason. Gives up by itself after 10 s and returns a marker, so a
 *  signal that never fires shows up as a wrong result instead of a hung test. */
export const hangUntilAborted = action(async function hangUntilAborted(succeedOnAttempt: number) {
  const { attempt, signal } = actionContext();
  if (attempt >= succeedOnAttempt) return `done on attempt ${attempt}`;
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(resolve, 10_000);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(guard);
        reject(signal.reason ?? new Error("aborted"));
      },
      { once: true },
    );
  });
  return `signal never fired on attempt ${attempt}`;
});

/** [1, 2, …, n]. */
export const makeRange = action(async function makeRange(n: number) {
  return Array.from({ length: n }, (_, i) => i + 1);
});

export const double = action(async function double(x: number) {
  return x * 2;
});

export const sumAll = action(async function sumAll(xs: number[]) {
  return xs.reduce((a, b) => a + b, 0);
});

export const addOne = action(async function addOne(n: number) {
  return n + 1;
});

export const isTarget = action(async function isTarget(value: number | undefined, target: number) {
  return value === target;
});

export const wrapWith = action(async function wrapWith(text: string, mark: string) {
  return `${mark}${text}${mark}`;
});

/** Returns its argument unchanged: the round trip through the store is the point. */
export const echoValue = action(async function echoValue<T>(value: T): Promise<T> {
  return value;
});

/** Waits `ms` and returns `label`; used to measure whether two calls overlapped. */
export const slowValue = action(async function slowValue(label: string, ms: number) {
  const { signal } = actionContext();
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clearTimeout(t), { once: true });
  });
  return { label, finishedAt: Date.now() };
});

export const joinLabels = action(async function joinLabels(
  a: { label: string; finishedAt: number },
  b: { label: string; finishedAt: number },
) {
  return `${a.label}+${b.label}`;
});
