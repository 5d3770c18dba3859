// The name a function expression passed to `action(...)` has in its source. Transpilers may
// rename it in the code that runs — esbuild without keepNames (vitest, most bundlers) turns
// `const addOne = action(async function addOne() {…})` into `… function addOne2() …` to avoid
// the shadowing — while the compiler, which reads the source, names the action `addOne`. So the
// name at run time is read from the source at the call site, as the compiler reads it.
import { existsSync, readFileSync } from "node:fs";
import type { Site } from "./callSite.js";

const lines = new Map<string, string[] | null>();

/** `action(…(async) function NAME(` starting at the call site; undefined when the call is not
 *  written that way (an arrow, a function named elsewhere) or the source cannot be read. */
export function sourceFunctionName(site: Site): string | undefined {
  let text = lines.get(site.file);
  if (text === undefined) {
    text =
      /\.[cm]?[jt]sx?$/.test(site.file) && existsSync(site.file)
        ? readFileSync(site.file, "utf8").split("\n")
        : null;
    lines.set(site.file, text);
  }
  if (!text) return undefined;
  // The call and the start of its first argument, over a few lines.
  const from = text.slice(site.line - 1, site.line + 3).join("\n");
  const at = Math.max(0, site.column - 1);
  const m =
    /^[\w$.]*\s*\(\s*(?:["'`][^"'`]*["'`]\s*,\s*)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/.exec(
      from.slice(at),
    );
  return m?.[1];
}
