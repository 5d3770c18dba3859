// Docs and behaviour in lockstep: every README block fenced as ```ts runnable is run for real.
// The block's definitions (everything before its first top-level `await`) are the workers'
// module; the whole block runs as a client script against a fresh database, and each
// `const x = await …; // → value` line asserts deepEqual(x, value).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDb } from "../helpers/db.js";
import { startEngine, stopEngine } from "../helpers/engine.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");
// Inside examples/ so `import … from "waymark"` resolves to this package (self-reference).
const DIR = mkdtempSync(join(ROOT, "examples", ".readme-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

export interface RunnableBlock {
  index: number;
  code: string;
}

export function runnableBlocks(markdown: string): RunnableBlock[] {
  const out: RunnableBlock[] = [];
  const re = /^```ts runnable\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) out.push({ index: out.length + 1, code: m[1] as string });
  return out;
}

const TOP_LEVEL_AWAIT = /^(?:(?:const|let|var)\s+\w+\s*=\s*)?await\b/;
const ARROW = /^(const|let|var)\s+(\w+)\s*=\s*await\b.*;\s*\/\/\s*→\s*(.+)$/;

/** The block with an assertion after each `// → value` line, and how many it asserts. */
export function instrument(code: string): { script: string; defs: string; asserts: number } {
  const lines = code.split("\n");
  const first = lines.findIndex((l) => TOP_LEVEL_AWAIT.test(l));
  const defs = (first < 0 ? lines : lines.slice(0, first)).join("\n");
  let asserts = 0;
  const script = ['import __assert from "node:assert/strict";'];
  for (const line of lines) {
    script.push(line);
    const m = line.match(ARROW);
    if (m) {
      asserts++;
      script.push(`__assert.deepEqual(${m[2]}, ${m[3]});`, `console.log("README-ASSERT ${m[2]}");`);
    }
  }
  return { script: script.join("\n"), defs, asserts };
}

test("the README has runnable blocks, each with at least one asserted value", () => {
  const blocks = runnableBlocks(README);
  assert.ok(blocks.length >= 3, `found ${blocks.length} runnable blocks`);
  for (const b of blocks) assert.ok(instrument(b.code).asserts >= 1, `block ${b.index}`);
});

test("instrument() turns `// → value` into a real assertion", () => {
  const { script } = instrument("const x = await f(); // → 5");
  assert.match(script, /__assert\.deepEqual\(x, 5\);/);
});

for (const block of runnableBlocks(README)) {
  test(`README runnable block ${block.index} runs and returns what it says`, async () => {
    const { script, defs, asserts } = instrument(block.code);
    const defsFile = join(DIR, `block${block.index}.defs.ts`);
    const scriptFile = join(DIR, `block${block.index}.ts`);
    writeFileSync(defsFile, defs);
    writeFileSync(scriptFile, script);
    const db = await createTestDb();
    const engine = await startEngine({ databaseUrl: db.url, modules: [defsFile] });
    try {
      const child = spawn(
        process.execPath,
        ["--conditions=waymark-dev", "--import", "tsx", scriptFile],
        {
          cwd: ROOT,
          env: { ...process.env, WAYMARK_DATABASE_URL: db.url },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (out += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      clearTimeout(timer);
      assert.equal(
        code,
        0,
        `block ${block.index} failed:\n${out}\nengine:\n${engine.log().slice(-2000)}`,
      );
      assert.equal((out.match(/README-ASSERT /g) ?? []).length, asserts, out);
    } finally {
      assert.equal(await stopEngine(engine), 0);
      await db.drop();
    }
  });
}
