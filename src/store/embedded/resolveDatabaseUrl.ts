// The one place that decides which database the client, runner and workers use:
// WAYMARK_DATABASE_URL when set, else the embedded server under ./.waymark/ (started or reused;
// WAYMARK_HOME overrides the directory). Never a server on 5432 by default.
import { relative, resolve, sep } from "node:path";
import { locateCluster } from "./clusterLocation.js";
import { type EmbeddedPostgres, ensureEmbeddedPostgres } from "./ensureEmbeddedPostgres.js";
import { serverOsUser } from "./osUser.js";

let embedded: Promise<EmbeddedPostgres> | undefined;

/** The embedded server's directory: WAYMARK_HOME, else ./.waymark (relative to the cwd). */
export function embeddedHome(): string {
  return resolve(process.env.WAYMARK_HOME || ".waymark");
}

/**
 * One line saying which database resolveDatabaseUrl() uses, for startup logs:
 * "WAYMARK_DATABASE_URL", or "embedded Postgres under ./.waymark/", followed (as root, when the
 * server's OS user cannot enter that directory) by ", its data in <dir>/ (<why>)". Starts
 * nothing; a location that cannot be made is reported by the start itself.
 */
export function describeDatabase(): string {
  if (process.env.WAYMARK_DATABASE_URL) return "WAYMARK_DATABASE_URL";
  const home = embeddedHome();
  const rel = relative(process.cwd(), home);
  const shown = rel && !rel.startsWith("..") && !rel.startsWith(sep) ? `./${rel}/` : `${home}/`;
  let line = `embedded Postgres under ${shown}`;
  try {
    const at = locateCluster(home, serverOsUser()).external;
    if (at) line += `, its data in ${at.dir}/ (${at.reason})`;
  } catch {
    // no place for the data: the start says why
  }
  return line;
}

/** True when this process started or reused the embedded server (it holds a registration). */
export function usingEmbeddedDatabase(): boolean {
  return embedded !== undefined;
}

/**
 * The embedded server is started at most once per process and kept for the process's life;
 * it is left running when the process exits (the next process reuses it in ~10 ms).
 * Call releaseEmbeddedDatabase() on orderly shutdown to stop it when no other process uses it.
 */
export async function resolveDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.WAYMARK_DATABASE_URL;
  if (fromEnv) return fromEnv;
  embedded ??= ensureEmbeddedPostgres({ dir: embeddedHome() });
  try {
    return (await embedded).url;
  } catch (e) {
    embedded = undefined; // let a later call retry
    throw e;
  }
}

/** Undoes resolveDatabaseUrl()'s start/reuse, if any. Idempotent. */
export async function releaseEmbeddedDatabase(): Promise<void> {
  const e = embedded;
  embedded = undefined;
  if (e) await (await e).stop();
}
