import { existsSync, statSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's own source folder (src/ or dist/src/): a relative import into it is the SDK. */
const SDK_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

export type SpecifierKind =
  | { k: "sdk" }
  | { k: "timers" }
  | { k: "file"; path: string }
  | { k: "external" }
  | { k: "missing" };

/** Classifies an import specifier seen in `fromFile`. Relative specifiers follow the NodeNext
 *  convention (`./x.js` → `./x.ts`) and the bundler one (`./x` → `./x.ts` / `./x/index.ts`). */
export function classifySpecifier(spec: string, fromFile: string): SpecifierKind {
  if (spec === "waymark" || spec.startsWith("waymark/")) return { k: "sdk" };
  if (spec === "node:timers/promises" || spec === "timers/promises") return { k: "timers" };
  if (!spec.startsWith(".") && !spec.startsWith("/")) return { k: "external" };
  const base = resolve(dirname(fromFile), spec);
  const path = findSource(base);
  if (!path) return { k: "missing" };
  if (path.startsWith(SDK_DIR + sep) && /[\\/](index|client[\\/].*)\.(ts|js)$/.test(path)) {
    return { k: "sdk" };
  }
  return { k: "file", path };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function findSource(base: string): string | undefined {
  const candidates: string[] = [];
  const m = /\.(m|c)?js$/.exec(base);
  if (m) {
    const stem = base.slice(0, -m[0].length);
    const ext = m[1] ? `.${m[1]}ts` : ".ts";
    candidates.push(stem + ext, `${stem}.tsx`);
  }
  candidates.push(base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`);
  if (m) candidates.push(base);
  for (const c of candidates) {
    if (/\.(m|c)?tsx?$/.test(c) && isFile(c)) return c;
  }
  return existsSync(base) && isFile(base) ? base : undefined;
}
