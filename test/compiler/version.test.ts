// The default version is the IR hash without source positions: moving code keeps it, changing
// the workflow changes it.
import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compileFile } from "../../src/compiler/index.js";
import { hashProgram } from "../../src/ir/index.js";
import { compileSource, mkCaseDir, workflowSource } from "./compileSource.js";

test("same IR at different positions → same version; different code → different version", () => {
  const body = "const a = await act(x);\n    return a;";
  const [a] = compileSource(workflowSource(body));
  const [b] = compileSource(
    `\n\n// moved down\n\n${workflowSource(`   ${body.replace("\n", "\n\n\n")}`)}`,
  );
  const [c] = compileSource(workflowSource("const a = await act(xs);\n    return a;"));
  assert.ok(a!.program && b!.program && c!.program);
  assert.notEqual(a!.program.span.line, b!.program.span.line, "the class moved");
  assert.equal(hashProgram(a!.program), hashProgram(b!.program));
  assert.notEqual(hashProgram(a!.program), hashProgram(c!.program));
});

test("the parse cache follows edits of the same file (path + mtime)", () => {
  const dir = mkCaseDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "input.ts");
  writeFileSync(file, workflowSource("return 1;"));
  assert.equal(compileFile(file)[0]!.diagnostics.length, 0);
  writeFileSync(file, workflowSource("return Date.now();"));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(compileFile(file)[0]!.diagnostics[0]!.code, "WM202");
});
