// Runs the dashboard in a child process of start-workers: its rendering (HTML, graph layouts of
// big workflows) gets its own event loop, so a page never delays the runner's steps.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { childExecArgv } from "../worker/WorkerPool.js";
import type { Dashboard, DashboardOptions } from "./startDashboard.js";

export async function startDashboardProcess(o: DashboardOptions): Promise<Dashboard> {
  const entry = fileURLToPath(import.meta.url).replace(
    /DashboardProcess\.(ts|js)$/,
    (_m, ext: string) => `child.${ext}`,
  );
  const child = fork(entry, [], {
    execArgv: childExecArgv(entry),
    env: {
      ...process.env,
      WAYMARK_DATABASE_URL: o.databaseUrl,
      WAYMARK_DASHBOARD_HOST: o.host ?? "127.0.0.1",
      WAYMARK_DASHBOARD_PORT: String(o.port ?? 24119),
      ...(o.token ? { WAYMARK_WEBAPP_TOKEN: o.token } : {}),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { type: string; url?: string; code?: string; message?: string }) => {
      if (m.type === "ready") resolve(m.url as string);
      else
        reject(
          Object.assign(new Error(m.message ?? "the dashboard did not start"), { code: m.code }),
        );
    });
    child.once("exit", (code) =>
      reject(new Error(`the dashboard process exited (code ${code}) before it served`)),
    );
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      child.send({ type: "stop" });
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
