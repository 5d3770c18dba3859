// A dedicated LISTEN connection that survives dropped connections: on error it reconnects
// with backoff and reports a synthetic notification per channel, because a wake-up may have
// been lost while it was down (the caller re-checks the database; polling remains the safety net).
//
// `exitOnIdle` (client side): the connection does not keep the process alive. Whoever waits on
// a notification keeps the process alive by its own means (the client's safety-net timer).
import pg from "pg";

export async function listenChannels(
  url: string,
  channels: string[],
  onNotify: (channel: string, payload: string) => void,
  opts: { exitOnIdle?: boolean } = {},
): Promise<() => Promise<void>> {
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = 100;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (n) => onNotify(n.channel, n.payload ?? ""));
    c.on("error", () => reconnect(c));
    c.on("end", () => reconnect(c));
    await c.connect();
    for (const ch of channels) await c.query(`listen ${pg.escapeIdentifier(ch)}`);
    // pg.Client.unref() exists (it unrefs the socket) but is missing from @types/pg.
    if (opts.exitOnIdle) (c as unknown as { unref(): void }).unref();
    client = c;
    retryMs = 100;
  };
  const reconnect = (c: pg.Client): void => {
    if (closed || client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    const attempt = (): void => {
      if (closed) return;
      connect().then(
        () => {
          for (const ch of channels) onNotify(ch, "");
        },
        () => {
          retryMs = Math.min(retryMs * 2, 5000);
          setTimeout(attempt, retryMs).unref();
        },
      );
    };
    setTimeout(attempt, retryMs).unref();
  };

  await connect();
  return async () => {
    closed = true;
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
