import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { compileFile } from "../../src/compiler/index.js";
import { printProgram, validate } from "../../src/ir/index.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures");

/** Every fixture case folder (one holding an input.ts), sorted. */
export function fixtureCases(dir = FIXTURES): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (existsSync(join(p, "input.ts"))) out.push(p);
    out.push(...fixtureCases(p));
  }
  return out;
}

export interface FixtureOutput {
  kind: "ir" | "diagnostics";
  text: string;
  /** validate() problems of every compiled program (must be empty). */
  invalid: string[];
}

/** Compiles `<case>/input.ts`: the printed IR of every workflow in it, or (when anything is
 *  refused) one line per diagnostic: `input.ts:L:C CODE message. Fix: fix`. */
export function runFixture(caseDir: string): FixtureOutput {
  const results = compileFile(join(caseDir, "input.ts"));
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (diagnostics.length > 0) {
    const text = diagnostics
      .map(
        (d) =>
          `${relative(caseDir, d.file)}:${d.line}:${d.column} ${d.code} ${d.message}. Fix: ${d.fix}`,
      )
      .join("\n");
    return { kind: "diagnostics", text: `${text}\n`, invalid: [] };
  }
  const invalid: string[] = [];
  const texts: string[] = [];
  for (const r of results) {
    if (!r.program) continue;
    invalid.push(...validate(r.program).map((p) => `${r.className}: ${p}`));
    texts.push(printProgram(r.program).trimEnd());
  }
  return { kind: "ir", text: `${texts.join("\n\n")}\n`, invalid };
}
