// Compile-time benchmark: cold start (loading the TypeScript parser + the first compile, in a
// fresh process) and per-workflow compile time over examples/ and test/fixtures/, cold (file
// parsed) and warm (parse cached by path + mtime). Goal: < 20 ms per workflow once the parser
// is loaded.  Run: npm run bench:compile
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { clearParseCache, compileFile, compileWorkflowClass } from "../src/compiler/index.js";

const ROOT = join(import.meta.dirname, "..");
const GOAL_MS = 20;

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

function coldStart(): { loadTs: number; firstCompile: number } {
  const script = `
    const t0 = performance.now();
    await import("typescript");
    const t1 = performance.now();
    const { compileFile } = await import(${JSON.stringify(join(ROOT, "src/compiler/index.ts"))});
    compileFile(${JSON.stringify(join(ROOT, "examples/workflows.ts"))});
    const t2 = performance.now();
    console.log(JSON.stringify({ loadTs: t1 - t0, firstCompile: t2 - t1 }));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const cs = coldStart();
console.log(
  `cold start: load typescript ${cs.loadTs.toFixed(1)} ms, first compile (compiler modules + examples/workflows.ts) ${cs.firstCompile.toFixed(1)} ms\n`,
);

const files = [...tsFiles(join(ROOT, "examples")), ...tsFiles(join(ROOT, "test", "fixtures"))];
const workflows = files.flatMap((file) =>
  compileFile(file).map((r) => ({ file, className: r.className })),
);
// Warm the JIT (parser included) over everything, as a long-running process would be.
for (let round = 0; round < 3; round++) {
  clearParseCache();
  for (const w of workflows) {
    try {
      compileWorkflowClass(w);
    } catch {}
  }
}

const rows: { name: string; cold: number; warm: number }[] = [];
for (const w of workflows) {
  const time = () => {
    const t = performance.now();
    try {
      compileWorkflowClass(w);
    } catch {}
    return performance.now() - t;
  };
  // Cold: the file and its imports are parsed again (best of 3, to keep GC pauses out).
  const cold = Math.min(
    ...[0, 1, 2].map(() => {
      clearParseCache();
      return time();
    }),
  );
  const warm = Math.min(time(), time(), time());
  rows.push({ name: `${relative(ROOT, w.file)} ${w.className}`, cold, warm });
}

const width = Math.max(...rows.map((r) => r.name.length), 8);
console.log(`${"workflow".padEnd(width)}  cold ms  warm ms`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${r.cold.toFixed(2).padStart(7)}  ${r.warm.toFixed(2).padStart(7)}`,
  );
}
const colds = rows.map((r) => r.cold);
const warms = rows.map((r) => r.warm);
const worst = Math.max(...colds);
console.log(
  `\n${rows.length} workflows: cold median ${median(colds).toFixed(2)} ms, max ${worst.toFixed(2)} ms; warm median ${median(warms).toFixed(2)} ms, max ${Math.max(...warms).toFixed(2)} ms`,
);
console.log(
  worst < GOAL_MS
    ? `goal met: every workflow < ${GOAL_MS} ms`
    : `GOAL MISSED: slowest ${worst.toFixed(2)} ms >= ${GOAL_MS} ms`,
);
