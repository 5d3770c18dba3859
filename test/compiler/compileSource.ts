import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CompileResult, compileFile } from "../../src/compiler/index.js";

const dir = mkdtempSync(join(tmpdir(), "waymark-compile-"));
let n = 0;

/** Writes `source` to a fresh temp file and compiles every @workflow class in it. */
export function compileSource(source: string, files: Record<string, string> = {}): CompileResult[] {
  n += 1;
  const caseDir = join(dir, `case${n}`);
  mkdirSync(caseDir, { recursive: true });
  for (const [name, text] of Object.entries({ ...files, "input.ts": source })) {
    const p = join(caseDir, name);
    writeFileSync(p, text, { flag: "w" });
  }
  return compileFile(join(caseDir, "input.ts"));
}

export function mkCaseDir(): string {
  n += 1;
  return join(dir, `case${n}`);
}

export const HEADER = `import { action, RetryPolicy, sleep, Workflow, workflow } from "waymark";
export const act = action(async function act(x?: unknown) { return x; });
export class MyError extends Error {}
`;

/** A module with one workflow whose run(x, xs) body is `body`. */
export function workflowSource(
  body: string,
  opts: { extra?: string; methods?: string } = {},
): string {
  return `${HEADER}${opts.extra ?? ""}
@workflow
export class W extends Workflow {
  async run(x: any, xs: any[]) {
${body}
  }
${opts.methods ?? ""}
}
`;
}
