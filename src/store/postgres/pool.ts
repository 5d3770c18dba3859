// One shared pg.Pool per (process, database URL). `closePools()` ends them so scripts exit.
import pg from "pg";

// int8 (bigint ids, counts) come back as strings by default; ids stay strings (handles expose
// them as strings) and counts are converted where read.
const pools = new Map<string, pg.Pool>();

export function getPool(url: string, max = 10): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    // Timeouts: a half-open connection (peer gone without a FIN/RST) would otherwise hang a
    // query forever — and with it the runner loop or the lease heartbeat. A query that gets no
    // answer within WAYMARK_QUERY_TIMEOUT_MS fails and its connection is discarded by the pool.
    const queryTimeout = Number(process.env.WAYMARK_QUERY_TIMEOUT_MS) || 30_000;
    pool = new pg.Pool({
      connectionString: url,
      max,
      idleTimeoutMillis: 10_000,
      query_timeout: queryTimeout,
      connectionTimeoutMillis: queryTimeout,
      keepAlive: true,
    });
    // An idle client's error (server restart) must not crash the process; the pool drops it.
    pool.on("error", () => {});
    pools.set(url, pool);
  }
  return pool;
}

export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => {})));
}

/** Runs `fn` in one transaction; rolls back on any error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const out = await fn(client);
    await client.query("commit");
    return out;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
