// Globals whose value differs between runs (clocks, randomness, the environment, timers, I/O).
// A workflow body that touches them is refused with WM202: the IR must replay identically.

const NONDETERMINISTIC_ROOTS = new Set([
  "process",
  "crypto",
  "performance",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "queueMicrotask",
  "fetch",
  "require",
  "globalThis",
  "window",
  "navigator",
]);

const NONDETERMINISTIC_PATHS = new Set(["Date.now", "Date.parse", "Math.random", "Date.UTC"]);

/** `path` is a dotted global path such as "Date.now" or "process.env.HOME". */
export function isNondeterministic(path: string): boolean {
  const root = path.split(".")[0]!;
  if (NONDETERMINISTIC_ROOTS.has(root)) return true;
  for (const p of NONDETERMINISTIC_PATHS) {
    if (path === p || path.startsWith(`${p}.`)) return true;
  }
  return false;
}

/** `new X()` of these is nondeterministic rather than merely "a class". */
export function isNondeterministicConstructor(name: string): boolean {
  return name === "Date" || name.startsWith("crypto.");
}
