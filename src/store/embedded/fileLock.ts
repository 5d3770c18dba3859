// A cross-process mutex over one file created with O_EXCL; the file holds the owner's pid.
// A lock whose owner is dead (SIGKILL) is stale and is taken over.
import { open, readFile, rename, unlink } from "node:fs/promises";

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const fh = await open(path, "wx", 0o644);
    await fh.writeFile(String(process.pid));
    await fh.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return false;
  }
}

/** Removes the lock at `path` if its owner is dead. Safe against two processes doing so at once. */
async function breakIfStale(path: string): Promise<void> {
  let owner: number;
  try {
    owner = Number((await readFile(path, "utf8")).trim());
  } catch {
    return; // released meanwhile
  }
  // An empty file is a lock being written right now (open then write): not stale.
  if (owner === 0 || isAlive(owner)) return;
  // Rename first, so that of two processes breaking the same stale lock only one succeeds,
  // and a fresh lock created after our read is never deleted by us.
  const aside = `${path}.stale-${process.pid}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const movedOwner = Number((await readFile(aside, "utf8")).trim());
  if (movedOwner !== owner && isAlive(movedOwner)) {
    // We moved a fresh lock taken between our read and our rename: give it back.
    await rename(aside, path).catch(() => undefined);
    return;
  }
  await unlink(aside).catch(() => undefined);
}

export async function withFileLock<T>(
  path: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tryAcquire(path))) {
    await breakIfStale(path);
    if (Date.now() > deadline) {
      const owner = await readFile(path, "utf8").catch(() => "?");
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} (held by pid ${owner})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
