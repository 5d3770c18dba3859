import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface Site {
  file: string;
  line: number;
  column: number;
}

const CLIENT_DIR = dirname(fileURLToPath(import.meta.url));

/** The first stack frame outside the SDK: the user's module that called `action(...)` or applied
 *  `@workflow`. Under tsx the stack is already mapped to the `.ts` source; a compiled `.js`
 *  frame is mapped back through its source map (inline or next to the file). */
export function callerSite(stack: string | undefined = new Error().stack): Site | undefined {
  let fallback: Site | undefined;
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith("file://")) file = fileURLToPath(file);
    if (file.startsWith("node:") || !file.startsWith(sep)) continue;
    if (file.startsWith(CLIENT_DIR + sep) || file.includes(`${sep}node_modules${sep}`)) continue;
    const raw = { file, line: Number(m[2]), column: Number(m[3]) };
    // Emit helpers (tsc's __esDecorate) sit at the top of a .js file with no mapping: skip to
    // the next frame, which is the class definition itself.
    const mapped = mapSite(raw);
    if (mapped) return mapped;
    fallback ??= raw;
  }
  return fallback;
}

/** Maps a generated `.js` position to its original source. Returns the site unchanged when
 *  there is no source map, and undefined when a map exists but has no entry for the position. */
export function mapSite(site: Site): Site | undefined {
  if (!/\.(m|c)?js$/.test(site.file) || !existsSync(site.file)) return site;
  const text = readFileSync(site.file, "utf8");
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
  if (!url) return site;
  let payload: any;
  let base = dirname(site.file);
  try {
    if (url.startsWith("data:")) {
      payload = JSON.parse(Buffer.from(url.slice(url.indexOf(",") + 1), "base64").toString("utf8"));
    } else {
      const mapFile = resolve(base, decodeURIComponent(url));
      payload = JSON.parse(readFileSync(mapFile, "utf8"));
      base = dirname(mapFile);
    }
    const entry = new SourceMap(payload).findEntry(site.line - 1, site.column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry.originalSource) return undefined;
    const src = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : resolve(base, payload.sourceRoot ?? "", entry.originalSource);
    return {
      file: src,
      line: (entry.originalLine ?? 0) + 1,
      column: (entry.originalColumn ?? 0) + 1,
    };
  } catch {
    return site;
  }
}
