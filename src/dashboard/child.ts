// The dashboard's own process (forked by DashboardProcess.ts): pages render and graphs lay out
// here, never in the runner's event loop. It exits when told to, on SIGTERM, or when its
// parent is gone (the IPC channel closes).
import { startDashboard } from "./startDashboard.js";

const send = (m: unknown) => process.send?.(m);

try {
  const d = await startDashboard({
    databaseUrl: process.env.WAYMARK_DATABASE_URL as string,
    host: process.env.WAYMARK_DASHBOARD_HOST as string,
    port: Number(process.env.WAYMARK_DASHBOARD_PORT),
    token: process.env.WAYMARK_WEBAPP_TOKEN,
  });
  const stop = () => {
    d.close().finally(() => process.exit(0));
  };
  process.on("message", (m) => {
    if ((m as { type?: string })?.type === "stop") stop();
  });
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  process.on("SIGINT", () => {}); // the parent decides (Ctrl-C reaches the whole group)
  send({ type: "ready", url: d.url });
} catch (e) {
  send({ type: "error", code: (e as NodeJS.ErrnoException).code, message: (e as Error).message });
  process.exit(1);
}
