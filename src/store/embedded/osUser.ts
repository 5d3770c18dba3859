// PostgreSQL refuses to run as root (initdb: "cannot be run as root"). When we are root we run
// initdb and the server as an unprivileged OS user that owns the data directory.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { dirname } from "node:path";

export interface ServerOsUser {
  name: string;
  uid: number;
  gid: number;
}

const CANDIDATES = ["postgres", "nobody"];

/** undefined when we are not root: the server then runs as ourselves. */
export function serverOsUser(): ServerOsUser | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  for (const name of CANDIDATES) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      if (Number.isInteger(uid) && uid > 0) return { name, uid, gid };
    } catch {
      // try the next candidate
    }
  }
  throw new Error(
    "running as root, and PostgreSQL cannot run as root: create a 'postgres' OS user " +
      "(useradd --system postgres) or set WAYMARK_DATABASE_URL to an existing Postgres",
  );
}

/** The first directory on the way to `path` (its parents, from the nearest up) that `user`
 *  cannot enter, or undefined when every one is searchable by it. */
export function blockedDir(path: string, user: ServerOsUser): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const s = statSync(dir);
    const ok =
      s.uid === user.uid
        ? (s.mode & 0o100) !== 0
        : s.gid === user.gid
          ? (s.mode & 0o010) !== 0
          : (s.mode & 0o001) !== 0;
    if (!ok) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Throws a readable error when `user` cannot reach `path` (every parent must be searchable),
 * instead of the server's later "Permission denied" deep in its log.
 */
export function assertReachable(path: string, user: ServerOsUser, why = ""): void {
  const dir = blockedDir(path, user);
  if (dir === undefined) return;
  throw new Error(
    `the embedded Postgres runs as OS user '${user.name}' (we are root), which cannot enter ${dir}${why}; ` +
      `allow it (chmod o+x ${dir}), choose another directory, or set WAYMARK_DATABASE_URL`,
  );
}
