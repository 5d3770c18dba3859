// As root the server runs as an unprivileged OS user, which must be able to execute the binaries
// and read their libraries and share/ files. In a root-only checkout (under /root, in a
// `mktemp -d` directory) node_modules is out of its reach, so the server runs from a copy of the
// platform package made where that user can reach it, one per package version, shared by every
// home on the machine:
//
//   /var/lib/waymark/postgres-<platform>-<arch>-<version>/{package.json, native/}
//
// (or the same under the fallback root, see clusterLocation.ts). The copy is made in a scratch
// directory and renamed into place, so a copy that exists is complete, and of two processes
// copying at once one rename wins and the other's copy is dropped.
import { existsSync } from "node:fs";
import { chmod, cp, lstat, readdir, readFile, rename, rm } from "node:fs/promises";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { makePrivateRoot, privateRoots } from "./clusterLocation.js";
import { isAlive } from "./fileLock.js";
import { blockedDir, type ServerOsUser } from "./osUser.js";
import { binariesIn, type PostgresBinaries } from "./postgresBinaries.js";

/** Makes every directory and file of `dir` readable (and directories searchable) by anyone. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    const s = await lstat(p);
    if (s.isSymbolicLink()) continue;
    if (s.isDirectory()) await openUp(p);
    else await chmod(p, (s.mode & 0o7777) | 0o444 | (s.mode & 0o111 ? 0o111 : 0));
  }
}

/** Removes scratch copies left by processes that died while copying. */
async function dropStaleCopies(root: string, name: string): Promise<void> {
  for (const n of await readdir(root).catch(() => [] as string[])) {
    const m = n.startsWith(`${name}.copy-`) ? Number(n.slice(name.length + 6)) : 0;
    if (m > 0 && !isAlive(m)) await rm(join(root, n), { recursive: true, force: true });
  }
}

async function copyInto(root: string, name: string, from: PostgresBinaries): Promise<string> {
  const target = join(root, name);
  if (existsSync(join(target, "native", "bin"))) return target;
  await dropStaleCopies(root, name);
  const scratch = join(root, `${name}.copy-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await cp(join(from.pkg, "native"), join(scratch, "native"), {
    recursive: true,
    verbatimSymlinks: true,
  });
  await cp(join(from.pkg, "package.json"), join(scratch, "package.json"));
  await openUp(scratch);
  await binariesIn(scratch, join(scratch, "lib-shim")); // recreates the library symlinks in it
  try {
    await rename(scratch, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
    await rm(scratch, { recursive: true, force: true }); // another process's copy won
  }
  return target;
}

/**
 * `bins` when `user` (the server's OS user, undefined when we are not root) can run them from
 * where they are; else a copy it can run. Throws, naming the directory and why no copy could
 * be made, when there is none.
 */
export async function reachableBinaries(
  bins: PostgresBinaries,
  user: ServerOsUser | undefined,
  shimDir: string,
): Promise<PostgresBinaries> {
  if (!user) return bins;
  const blocked =
    blockedDir(bins.postgres, user) ??
    (bins.env.LD_LIBRARY_PATH ? blockedDir(join(shimDir, "x"), user) : undefined);
  if (blocked === undefined) return bins;
  const { version } = JSON.parse(await readFile(join(bins.pkg, "package.json"), "utf8")) as {
    version: string;
  };
  const name = `postgres-${platform()}-${arch()}-${version}`;
  const why: string[] = [];
  for (const root of privateRoots()) {
    const bad = await makePrivateRoot(root, user);
    if (bad) {
      why.push(bad);
      continue;
    }
    const copy = await copyInto(root, name, bins);
    const b = await binariesIn(copy, join(copy, "lib-shim"));
    const still = blockedDir(b.postgres, user);
    if (still === undefined) return b;
    why.push(`OS user '${user.name}' cannot enter ${still}`);
  }
  throw new Error(
    `the embedded Postgres runs as OS user '${user.name}' (we are root), which cannot enter ${blocked} ` +
      `to run the PostgreSQL binaries, and no copy it can reach could be made (${why.join("; ")}); ` +
      `allow it (chmod o+x ${blocked}), or set WAYMARK_DATABASE_URL`,
  );
}
