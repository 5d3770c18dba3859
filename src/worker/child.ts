// Entry point of a worker child process (forked by WorkerPool). Imports the user's modules with
// lazy workflow compilation (workers only need actions), then serves their actions until SIGTERM.
import { hostname } from "node:os";
import { resolveConfig } from "../store/config.js";
import { logger } from "../store/log.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import { closePools } from "../store/postgres/pool.js";
import type { ClaimedAction, Completion } from "../store/Store.js";
import { loadUserModules } from "./loadUserModules.js";
import { registeredActions } from "./registeredActions.js";
import { WorkerProcess } from "./WorkerProcess.js";

const log = logger("worker");

async function main(): Promise<void> {
  process.env.WAYMARK_COMPILE = "lazy";
  // The parent passes its resolved WAYMARK_DATABASE_URL; a child never starts a database.
  const cfg = await resolveConfig();
  const store = new PostgresStore(cfg.databaseUrl, 4);
  // The pool listens for all its children and forwards each notification (WorkerPool.start).
  if (process.env.WAYMARK_POOL_LISTEN === "1" && process.send) store.listen = listenThroughParent;
  // While the user's modules load (seconds for a large TypeScript app), a "starting" row tells
  // runners not to declare any queued action unserved yet.
  const startingId = `starting:${hostname()}:${process.pid}`;
  const beat = () =>
    store.heartbeatWorker(startingId, "starting", hostname(), process.pid, []).catch(() => {});
  await beat();
  const starting = setInterval(beat, cfg.lockHeartbeatMs);
  try {
    await loadUserModules(cfg.userModules);
  } finally {
    clearInterval(starting);
  }
  const worker = new WorkerProcess(store, cfg, registeredActions);
  await worker.start();
  await store.removeWorker(startingId).catch(() => {});
  // Calls handed over by the runner of this process tree (see WorkerPool.reserve): run them and
  // send the completion back; the send is part of the in-flight work a shutdown waits for.
  // Completions go back in one message per turn of the event loop.
  let outbox: { key: string; completion: Completion; done: (e?: Error) => void }[] = [];
  const flushOutbox = () => {
    const items = outbox;
    outbox = [];
    const settle = (e?: Error | null) => {
      for (const i of items) i.done(e ?? undefined);
    };
    if (!process.send) return settle(new Error("no IPC channel"));
    process.send(
      { type: "done", items: items.map(({ key, completion }) => ({ key, completion })) },
      undefined,
      {},
      settle,
    );
  };
  process.on("message", (m: { type?: string; items?: { key: string; call: ClaimedAction }[] }) => {
    if (m?.type !== "run" || !m.items) return;
    for (const { key, call } of m.items)
      worker.runLocal(
        call,
        (completion) =>
          new Promise<void>((resolve, reject) => {
            outbox.push({ key, completion, done: (e) => (e ? reject(e) : resolve()) });
            if (outbox.length === 1) setImmediate(flushOutbox);
          }),
      );
  });
  process.send?.({
    type: "ready",
    workerId: worker.id,
    actions: registeredActions.names(),
    capacity: cfg.concurrentPerWorker,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing in-flight actions`);
    const graceMs = Number(process.env.WAYMARK_SHUTDOWN_GRACE_MS ?? 30_000);
    const hard = setTimeout(() => {
      log.warn(
        `in-flight actions did not finish within ${graceMs}ms; exiting (their leases will expire)`,
      );
      process.exit(1);
    }, graceMs);
    hard.unref();
    worker
      .stop()
      .then(() => closePools())
      .then(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // The parent died: stop as if asked to.
  process.on("disconnect", () => shutdown("parent disconnected"));
}

/** Store.listen over the parent's forwarded notifications (messages `{ type: "notify" }`). */
const listenThroughParent: PostgresStore["listen"] = async (channels, onNotify) => {
  const onMessage = (m: { type?: string; channel?: string; payload?: string }) => {
    if (m?.type === "notify" && m.channel !== undefined && channels.includes(m.channel))
      onNotify(m.channel, m.payload ?? "");
  };
  process.on("message", onMessage);
  return async () => {
    process.off("message", onMessage);
  };
};

main().catch((e) => {
  log.error(`worker failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
