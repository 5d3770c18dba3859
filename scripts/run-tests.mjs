#!/usr/bin/env node
// Runs every test/**/*.test.ts and examples/**/*.test.ts file with node's test runner
// (TypeScript through tsx).
// Usage: npm test [-- <path filter>... --exclude=<path filter>...]   e.g. npm test -- compiler
//
// The database is chosen once here and passed to every test file as WAYMARK_TEST_DATABASE_URL:
// that variable if already set; else the server on 127.0.0.1:5432 if it answers (unless
// WAYMARK_TEST_NO_SERVER=1); else an embedded PostgreSQL in .waymark-test/ (started here,
// shared by all test files, stopped at the end). No Postgres install is needed.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { register } from "tsx/esm/api";

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === "fixtures" || name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const excludes = args.filter((a) => a.startsWith("--exclude=")).map((a) => a.slice(10));
const filters = args.filter((a) => !a.startsWith("--exclude="));
const files = [...walk("test"), ...walk("examples")]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => !excludes.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

register();
const { testDatabaseUrl, releaseTestDatabase, SERVER_URL } = await import("../test/helpers/db.ts");
const url = await testDatabaseUrl();
const where = process.env.WAYMARK_TEST_DATABASE_URL
  ? "WAYMARK_TEST_DATABASE_URL"
  : url === SERVER_URL
    ? "the server on 127.0.0.1:5432"
    : "embedded PostgreSQL (.waymark-test/)";
console.error(`tests use ${where}`);

const concurrency = process.env.WAYMARK_TEST_CONCURRENCY ?? "2";
const child = spawn(
  process.execPath,
  [
    "--conditions=waymark-dev",
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, WAYMARK_TEST_DATABASE_URL: url } },
);
// Ctrl-C reaches the test runner through the terminal; we only wait for it.
process.on("SIGINT", () => {});
const code = await new Promise((res) => child.on("exit", (c, s) => res(c ?? (s ? 1 : 1))));
await releaseTestDatabase();
process.exit(code);
