// Where the embedded server's cluster (pgdata) lives. Normally inside the Waymark home
// (<home>/pgdata). As root the server runs as an unprivileged OS user (see osUser.ts); when that
// user cannot enter the home (a checkout under /root, a `mktemp -d` directory: mode 0700), the
// cluster lives in a private directory of its own instead, one per home:
//
//   /var/lib/waymark/<project>-<sha256(realpath of home), 16 hex>/
//     project     the home's real path (the directory belongs to that home and no other)
//     pgdata/     the cluster, owned by the server's OS user, mode 0700
//
// and <home>/pgdata is a symlink to it, so the home still shows where its data is.
//
// Why /var/lib/waymark: it is the FHS place for persistent state; only root can create entries
// under /var/lib (in /tmp any local user could create the predictable name first); it survives
// reboots and is not swept by tmp cleaners (systemd-tmpfiles deletes /tmp files unused for 10
// days, which would corrupt an idle cluster). A directory under os.tmpdir() is the fallback for a
// read-only root filesystem (a container with a writable /tmp only); it must be a real directory
// owned by root and writable by no one else.
//
// Invariants:
// - The same home always maps to the same cluster directory, and two homes never share one: the
//   name hashes the home's real path, and the `project` file is checked against it.
// - Only root processes touch these directories (the home is root-only in this case), under the
//   home's lock; the server's OS user can search them (0711) and owns only pgdata.
// - The cluster's password lives only in <home>/embedded.json. A cluster found here while the
//   home has none was orphaned by a reset (`rm -rf .waymark`): the caller deletes it.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { blockedDir, type ServerOsUser } from "./osUser.js";

export interface ClusterLocation {
  /** The cluster directory (PG_VERSION, postmaster.pid). */
  dataDir: string;
  /** Set when the cluster lives outside the home. */
  external?: {
    /** The directory holding `dataDir` (the one named in the startup line). */
    dir: string;
    /** Why: the directory the server's OS user cannot enter. */
    reason: string;
  };
}

/** Candidate parents of per-home cluster directories, most robust first (see above). */
export function privateRoots(): string[] {
  return ["/var/lib/waymark", join(tmpdir(), "waymark-root")];
}

/** realpath of `path`, or of its nearest existing ancestor joined with the rest. */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(canonical(parent), basename(abs));
  }
}

/** `<project>-<hash>`: the project's name for people listing the directory, the hash for identity. */
function clusterName(home: string): string {
  const real = canonical(home);
  const hash = createHash("sha256").update(real).digest("hex").slice(0, 16);
  const named = basename(real).startsWith(".") ? basename(dirname(real)) : basename(real);
  const slug = named.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "home";
  return `${slug}-${hash}`;
}

/** Why `root` cannot hold cluster directories now, or undefined when it can (or can be made). */
function unusableRoot(root: string, user: ServerOsUser): string | undefined {
  let s: ReturnType<typeof lstatSync>;
  try {
    s = lstatSync(root);
  } catch {
    // Not there yet: root can make it when its parent exists and is writable by us.
    const parent = dirname(root);
    try {
      const p = statSync(parent);
      if (!p.isDirectory()) return `${parent} is not a directory`;
    } catch {
      return `${parent} does not exist`;
    }
    const blocked = blockedDir(root, user);
    return blocked ? `OS user '${user.name}' cannot enter ${blocked}` : undefined;
  }
  if (s.isSymbolicLink() || !s.isDirectory()) return `${root} is not a real directory`;
  if (s.uid !== 0) return `${root} is owned by uid ${s.uid}, not root`;
  if ((s.mode & 0o022) !== 0) return `${root} is writable by others`;
  const blocked = blockedDir(join(root, "x"), user);
  return blocked ? `OS user '${user.name}' cannot enter ${blocked}` : undefined;
}

/** Throws, naming every candidate and why it failed. */
function noPlace(blocked: string, user: ServerOsUser, why: string[]): never {
  throw new Error(
    `the embedded Postgres runs as OS user '${user.name}' (we are root), which cannot enter ${blocked}, ` +
      `and no directory it can reach could be made for the cluster (${why.join("; ")}); ` +
      `allow it (chmod o+x ${blocked}), choose another directory, or set WAYMARK_DATABASE_URL`,
  );
}

/**
 * Where the cluster of `home` lives or will live, creating nothing. `user` is the server's OS
 * user when we are root (undefined otherwise: the cluster is always <home>/pgdata).
 */
export function locateCluster(home: string, user: ServerOsUser | undefined): ClusterLocation {
  const inHome = join(home, "pgdata");
  if (!user) return { dataDir: inHome };
  let link: string | undefined;
  try {
    const s = lstatSync(inHome);
    if (!s.isSymbolicLink()) return { dataDir: inHome }; // a cluster made inside the home
    const target = resolve(home, readlinkSync(inHome));
    // Only a link into one of our roots; any other link is the user's own choice of where
    // pgdata lives, followed as a plain path.
    if (!privateRoots().includes(dirname(dirname(target)))) return { dataDir: inHome };
    link = target;
  } catch {
    // nothing there yet
  }
  const blocked = blockedDir(home, user);
  const reason = blocked
    ? `OS user '${user.name}' cannot enter ${blocked}`
    : `OS user '${user.name}' could not enter the home when the cluster was made`;
  if (link) return { dataDir: link, external: { dir: dirname(link), reason } };
  if (!blocked) return { dataDir: inHome };
  const name = clusterName(home);
  const why: string[] = [];
  let first: string | undefined;
  for (const root of privateRoots()) {
    const dir = join(root, name);
    if (existsSync(join(dir, "pgdata")))
      return { dataDir: join(dir, "pgdata"), external: { dir, reason } };
    const bad = unusableRoot(root, user);
    if (bad) why.push(bad);
    else first ??= dir;
  }
  if (!first) noPlace(blocked, user, why);
  return { dataDir: join(first, "pgdata"), external: { dir: first, reason } };
}

/** Creates `root` (0711, root-owned) if needed and checks it; returns why it is unusable. */
export async function makePrivateRoot(
  root: string,
  user: ServerOsUser,
): Promise<string | undefined> {
  if (!existsSync(root)) {
    try {
      await mkdir(root, { recursive: true, mode: 0o711 });
    } catch (e) {
      return `cannot create ${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }
  return unusableRoot(root, user);
}

/**
 * locateCluster, then makes the external directory (if any) exist with its `project` marker.
 * Throws the reachability error, with the reasons, when no such directory can be made.
 */
export async function prepareCluster(
  home: string,
  user: ServerOsUser | undefined,
): Promise<ClusterLocation> {
  const loc = locateCluster(home, user);
  if (!user || !loc.external) return loc;
  const real = canonical(home);
  const marker = (dir: string) => writeFile(join(dir, "project"), `${real}\n`, { mode: 0o644 });
  const dir = loc.external.dir;
  if (existsSync(dir)) {
    let owner: string;
    try {
      owner = readFileSync(join(dir, "project"), "utf8").trim();
    } catch {
      // Made by a process that died before writing its marker; the hashed name is this home's.
      await marker(dir);
      return loc;
    }
    if (owner !== real) {
      throw new Error(
        `${dir} holds the embedded cluster of ${owner}, not of ${real}; ` +
          `remove the symlink ${join(home, "pgdata")} or set WAYMARK_HOME to another directory`,
      );
    }
    return loc;
  }
  // A fresh cluster: locate's choice of root first, then the others.
  const roots = [dirname(dir), ...privateRoots().filter((r) => r !== dirname(dir))];
  const why: string[] = [];
  for (const root of roots) {
    const bad = await makePrivateRoot(root, user);
    if (bad) {
      why.push(bad);
      continue;
    }
    const made = join(root, basename(dir));
    await mkdir(made, { mode: 0o711 });
    await marker(made);
    return { dataDir: join(made, "pgdata"), external: { dir: made, reason: loc.external.reason } };
  }
  return noPlace(blockedDir(home, user) ?? home, user, why);
}
