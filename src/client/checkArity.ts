// run() argument count check at the call site: more arguments than the workflow's `run`
// declares (and no rest parameter) is a clear error before anything is written. Fewer are
// allowed, as in JavaScript (optional parameters are not visible in the IR).
import type { Program } from "../ir/types.js";

export function checkArity(program: Program, args: unknown[], name: string): void {
  const entry = program.functions.find((f) => f.name === program.entry);
  if (!entry || entry.params.some((p) => p.rest)) return;
  if (args.length > entry.params.length)
    throw new TypeError(
      `workflow "${name}": run() takes ${entry.params.length} argument(s), got ${args.length}`,
    );
}
