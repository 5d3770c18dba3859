// One shared pg.Pool per (process, database URL). `closePools()` ends them (orderly shutdown).
//
// Idle connections of a client-side pool (`exitOnIdle`) do not keep the process alive, as an
// idle `fetch` keep-alive socket does not: a script ends once its work is done. A connection
// that is checked out (a query in flight) still holds the process. The engine's own processes
// ask for a pool that holds: if any user of a URL's pool does, the pool holds.
import pg from "pg";

// int8 (bigint ids, counts) come back as strings by default; ids stay strings (handles expose
// them as strings) and counts are converted where read.
const pools = new Map<string, pg.Pool>();

/**
 * Session settings of every engine connection (startup options).
 * - plan_cache_mode=force_generic_plan: the engine's statements are named (prepared once per
 *   connection) and driven by arrays; Postgres's default re-plans each of a connection's first
 *   five executions and, for some connections, every one after — ~3 ms of planning for the
 *   persist statement, more than executing it.
 * - enable_seqscan=off: a generic plan is built once per connection, often while the tables
 *   are empty, where a sequential scan looks cheapest — and is kept while the tables grow to
 *   millions of rows. Every hot statement reads the instance and call tables through an index
 *   (test/store/plans.test.ts builds each one's plan on empty tables and checks).
 * - jit=off: a plan that must still scan a small table sequentially carries the disabled-path
 *   cost (10¹⁰), which would make Postgres JIT-compile a sub-millisecond statement.
 */
export const ENGINE_SESSION_OPTIONS =
  "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c jit=off";

export interface PoolOptions {
  /** Idle connections let the process exit (client side); default false (engine side). */
  exitOnIdle?: boolean;
}

export function getPool(url: string, max = 10, opts: PoolOptions = {}): pg.Pool {
  const exitOnIdle = opts.exitOnIdle === true;
  let pool = pools.get(url);
  // pg-pool reads the option each time a connection goes idle, so a holder that arrives later
  // takes effect at once (connections checked out are referenced again by pg-pool).
  if (pool && !exitOnIdle) pool.options.allowExitOnIdle = false;
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
      allowExitOnIdle: exitOnIdle,
      // Startup parameters: in effect before the first query (behind a connection pooler,
      // set them on the role instead: alter role … set plan_cache_mode = …).
      options: ENGINE_SESSION_OPTIONS,
    });
    // An idle client's error (server restart) must not crash the process; the pool drops it.
    pool.on("error", () => {});

    pools.set(url, pool);
  }
  return pool;
}

/** Ends the pool of one URL (the next getPool of it makes a new one). */
export async function closePool(url: string): Promise<void> {
  const pool = pools.get(url);
  pools.delete(url);
  await pool?.end().catch(() => {});
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
