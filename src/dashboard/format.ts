// How stored values appear on the dashboard: decoded with the value codec, rendered as compact
// JSON, and cut at a size a page can show (the full value is one click away, as a download).
import { decodeValue } from "../values/index.js";

export const PREVIEW_CHARS = 2000;

/** A stored (encoded) value as display text. */
export function valueText(stored: unknown): string {
  let v: unknown;
  try {
    v = decodeValue(stored as never);
  } catch {
    v = stored;
  }
  return (
    JSON.stringify(v, (_k, x) => {
      if (typeof x === "bigint") return `${x}n`;
      if (x instanceof Map) return { Map: [...x.entries()] };
      if (x instanceof Set) return { Set: [...x.values()] };
      if (x === undefined) return "undefined";
      return x;
    }) ?? "undefined"
  );
}

/** The preview of a value and whether it was cut. */
export function preview(stored: unknown, max = PREVIEW_CHARS): { text: string; cut: boolean } {
  const text = valueText(stored);
  return text.length > max ? { text: `${text.slice(0, max)}…`, cut: true } : { text, cut: false };
}

/** `Name: message` of a stored error. */
export function errorLine(stored: unknown): string {
  const e = (() => {
    try {
      return decodeValue(stored as never) as { name?: unknown; message?: unknown };
    } catch {
      return stored as { name?: unknown; message?: unknown };
    }
  })();
  return `${String(e?.name ?? "Error")}: ${String(e?.message ?? "")}`;
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms < 86_400_000)
    return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

export const iso = (d: Date | null | undefined): string =>
  d ? d.toISOString().replace(".000Z", "Z") : "";
