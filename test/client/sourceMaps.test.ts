// The decorator finds the workflow's source from its call site: directly under tsx, and through
// the source map (file next to the .js, or inline) after a `tsc` build. Positions in
// diagnostics are those of the .ts file in every case.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

const FLOW = `import { action, Workflow, workflow } from "waymark";

export const shout = action(async function shout(s: string) {
  return s.toUpperCase();
});

@workflow
export class MappedFlow extends Workflow {
  async run(s: string) {
    return await shout(s);
  }
}

try {
  @workflow
  class BrokenFlow extends Workflow {
    async run() {
      const t = Date.now();
      return t;
    }
  }
  console.log(BrokenFlow.name);
} catch (e: any) {
  const d = e.diagnostics[0];
  const span = MappedFlow.workflowIr().span;
  console.log(JSON.stringify({ code: d.code, file: d.file, line: d.line, column: d.column, irFile: span.file, irLine: span.line }));
}
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "waymark-srcmap-"));
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "waymark"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "src", "flow.ts"), FLOW);
  return dir;
}

function runNode(
  dir: string,
  entry: string,
): { code: string; file: string; line: number; column: number; irFile: string; irLine: number } {
  const r = spawnSync(
    process.execPath,
    ["--conditions=waymark-dev", "--import", import.meta.resolve("tsx"), entry],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line);
}

function tscBuild(dir: string, inline: boolean): void {
  const r = spawnSync(
    process.execPath,
    [
      TSC,
      "--noCheck",
      "--target",
      "ES2022",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      inline ? "--inlineSourceMap" : "--sourceMap",
      "--outDir",
      "dist",
      "--rootDir",
      "src",
      "--skipLibCheck",
      "src/flow.ts",
    ],
    { cwd: dir, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

const EXPECTED = { code: "WM202", line: 18, column: 17, irLine: 7 };

test("under tsx the .ts file is read directly", () => {
  const dir = project();
  const out = runNode(dir, "src/flow.ts");
  assert.deepEqual(
    { code: out.code, line: out.line, column: out.column, irLine: out.irLine },
    EXPECTED,
  );
  assert.equal(out.file, join(dir, "src", "flow.ts"));
  assert.equal(out.irFile, join(dir, "src", "flow.ts"));
});

test("after tsc (source map file next to the .js) positions are those of the .ts", () => {
  const dir = project();
  tscBuild(dir, false);
  const out = runNode(dir, "dist/flow.js");
  assert.deepEqual(
    { code: out.code, line: out.line, column: out.column, irLine: out.irLine },
    EXPECTED,
  );
  assert.equal(out.file, join(dir, "src", "flow.ts"));
});

test("after tsc with an inline source map", () => {
  const dir = project();
  tscBuild(dir, true);
  const out = runNode(dir, "dist/flow.js");
  assert.deepEqual(
    { code: out.code, line: out.line, column: out.column, irLine: out.irLine },
    EXPECTED,
  );
  assert.equal(out.file, join(dir, "src", "flow.ts"));
});
