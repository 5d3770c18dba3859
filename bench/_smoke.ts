import { spawn } from "node:child_process";
import pg from "pg";
const admin = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
await admin.connect();
await admin.query("drop database if exists waymark_bench_smoke with (force)");
await admin.query("create database waymark_bench_smoke");
await admin.end();
const url = "postgresql://postgres@127.0.0.1:5432/waymark_bench_smoke";
process.env.WAYMARK_DATABASE_URL = url;
const { BenchSequential, BenchFanOut, BenchSleep } = await import("./workflows.js");
const { closeWaymark } = await import("../src/client/engine.js");
const p = spawn(process.execPath, ["--conditions=waymark-dev", "--import", "tsx", "src/cli/startWorkers.ts"], {
  env: { ...process.env, WAYMARK_USER_MODULE: "./bench/workflows.ts" }, stdio: ["ignore", "inherit", "inherit"], detached: true,
});
await new Promise((r) => setTimeout(r, 4000));
let t = performance.now();
console.log(await new BenchSequential().run(1), performance.now() - t);
t = performance.now();
console.log(await new BenchSequential().run(1), performance.now() - t);
t = performance.now();
console.log(await new BenchFanOut().run([1, 2, 3]), performance.now() - t);
t = performance.now();
console.log(await new BenchSleep().run(1000, 5), performance.now() - t);
process.kill(-p.pid!, "SIGTERM");
await closeWaymark();
