// As a new user: clone the repository into a temporary directory, run the README's install and
// main-job command there with no WAYMARK_DATABASE_URL (nor PG* variables), and check what the
// demo prints. Only `npm ci` touches the network (the npm registry).
//
// The clone is of the committed tree plus the working tree's uncommitted changes (modified and
// untracked-but-not-ignored files are copied over, deleted files removed), so the test checks
// exactly what would be committed next. ONE clone and one `npm ci` per run: this file is slow
// (about a minute with a warm npm cache).
//
// The clone sits in a `mktemp -d` directory, mode 0700, as a newcomer in a container works: as
// root, the embedded server runs as OS user 'postgres', which cannot enter it, so the cluster
// lives in /var/lib/waymark/<project>-<hash>/ (and the binaries run from a copy there), which
// the demo's first line names.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");
let dir = "";
let clone = "";
/** As root: the cluster's directory outside the clone, from the demo's first line. */
let cluster = "";
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** The environment of a fresh machine: no Waymark or libpq settings at all. */
function freshEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(WAYMARK_|PG)/.test(k) && !k.startsWith("NODE_TEST") && k !== "NODE_OPTIONS") env[k] = v;
  return env;
}

/** The README's "Two commands" block: [install-and-main-job, tests]. */
function readmeCommands(): string[] {
  const section = README.split(/^## /m).find((s) => s.startsWith("Two commands"));
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

/** Pids of live processes whose command line mentions `path`. */
function processesUsing(path: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(path)) out.push(Number(p));
    } catch {
      // exited
    }
  }
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "waymark-newuser-"));
  chmodSync(dir, 0o700); // root-only, as mkdtemp makes it (said again: the test is about this)
  clone = join(dir, "waymark");
  execFileSync("git", ["clone", "--quiet", ROOT, clone]);
  const git = (...a: string[]) =>
    execFileSync("git", ["-C", ROOT, ...a], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  for (const f of git("ls-files", "--modified", "--others", "--exclude-standard")) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(clone, f));
  }
  for (const f of git("ls-files", "--deleted")) rmSync(join(clone, f), { force: true });
});

after(() => {
  if (!clone) return;
  for (const pid of [...processesUsing(clone), ...(cluster ? processesUsing(cluster) : [])]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (cluster) rmSync(cluster, { recursive: true, force: true });
});

/** Every process of the clone's database: its cmdline names the clone or the cluster. */
function databaseProcesses(): number[] {
  return [...processesUsing(join(clone, ".waymark")), ...(cluster ? processesUsing(cluster) : [])];
}

test("README: the first command installs and runs the demo on the embedded database", {
  timeout: 600_000,
}, () => {
  const [main, tests] = readmeCommands();
  assert.equal(main, "npm ci && npm run demo");
  assert.equal(tests, "npm test");
  const t0 = Date.now();
  const r = spawnSync("sh", ["-c", main as string], {
    cwd: clone,
    env: freshEnv(),
    encoding: "utf8",
    timeout: 540_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  console.log(`clone → npm ci → demo: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (asRoot) {
    const line = out.match(
      /^database: embedded Postgres under \.\/\.waymark\/, its data in (\/var\/lib\/waymark\/[^/\s]+)\/ \(OS user 'postgres' cannot enter (\S+)\)$/m,
    );
    assert.ok(line, `the first line names where the data is:\n${out}`);
    cluster = line[1] as string;
    assert.equal(line[2], dir, "and why: the 0700 directory");
  } else {
    assert.match(out, /^database: embedded Postgres under \.\/\.waymark\/$/m);
  }
  assert.match(out, /^✓ SequentialChainWorkflow\('hello'\) → \{ .*step2: 'OLLEH'.* \}/m);
  assert.match(out, /^✓ ParallelMathWorkflow\(5\) → \{ .*factorial: 120.* \}/m);
  assert.match(out, /^✓ DurableSleepWorkflow\(1\) → \{ seconds: 1, sleptLongEnough: true \}/m);
  assert.match(out, /^18\/18 workflows returned the expected results/m);
  assert.doesNotMatch(out, /^✗/m);
  if (asRoot) {
    assert.ok(existsSync(join(cluster, "pgdata", "PG_VERSION")), `data in ${cluster}`);
    assert.equal(readlinkSync(join(clone, ".waymark", "pgdata")), join(cluster, "pgdata"));
    assert.equal(statSync(dir).mode & 0o777, 0o700, "the directory stayed root-only");
  } else {
    assert.ok(existsSync(join(clone, ".waymark", "pgdata", "PG_VERSION")), "data under ./.waymark");
  }
  assert.deepEqual(databaseProcesses(), [], "the demo stopped what it started");
});

test("demo --crash-after-sleep: the sleeping workflow wakes after the engine and database restart", {
  timeout: 300_000,
}, () => {
  const r = spawnSync("npm", ["run", "demo", "--", "--crash-after-sleep"], {
    cwd: clone,
    env: freshEnv(),
    encoding: "utf8",
    timeout: 240_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  if (asRoot) assert.ok(out.includes(`its data in ${cluster}/ `), `the same cluster:\n${out}`);
  assert.match(out, /SIGKILL the engine's process group/);
  assert.match(out, /engine killed and the embedded Postgres stopped/);
  assert.match(
    out,
    /^✓ DurableSleepWorkflow\(4\) → \{ seconds: 4, sleptLongEnough: true \} {2}\(woke after the restart\)$/m,
  );
  assert.match(out, /^19\/19 workflows returned the expected results/m);
  assert.deepEqual(databaseProcesses(), []);
});
