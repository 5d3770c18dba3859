// The one place that decides which database the client, runner and workers use:
// WAYMARK_DATABASE_URL when set, else the embedded server under ./.waymark/ (started or reused;
// WAYMARK_HOME overrides the directory). Never a server on 5432 by default.
import { resolve } from "node:path";
import { type EmbeddedPostgres, ensureEmbeddedPostgres } from "./ensureEmbeddedPostgres.js";

let embedded: Promise<EmbeddedPostgres> | undefined;

/** The embedded server's directory: WAYMARK_HOME, else ./.waymark (relative to the cwd). */
export function embeddedHome(): string {
  return resolve(process.env.WAYMARK_HOME || ".waymark");
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
