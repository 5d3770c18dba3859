// Why an unfinished run waits, in one line: what a user looks for first on the runs page.
import { decodeStoredPolicy } from "../runtime/index.js";
import { errorLine, iso } from "./format.js";
import type { RunRow } from "./queries.js";

export function waitReason(r: RunRow, now = Date.now()): string {
  switch (r.status) {
    case "completed":
    case "failed":
    case "cancelled":
      return "";
    case "queued":
      if (r.wakeAt && r.wakeAt.getTime() > now) return `starts at ${iso(r.wakeAt)}`;
      return r.priority > 0 ? `queued (priority ${r.priority})` : "queued";
    case "sleeping":
      return r.wakeAt ? `sleeping until ${iso(r.wakeAt)}` : "sleeping";
    default:
  }
  const parts: string[] = [];
  if (r.retrying) {
    let max = "";
    try {
      const p = decodeStoredPolicy(r.retryPolicy);
      max = ` of ${p.maxAttempts}`;
    } catch {}
    const after = r.retryError ? ` after ${errorLine(r.retryError).slice(0, 160)}` : "";
    parts.push(
      `retrying \`${r.retrying}\` (attempt ${(r.retryAttempts ?? 0) + 1}${max}${r.retryAt ? ` at ${iso(r.retryAt)}` : ""})${after}`,
    );
  }
  if (r.signal)
    parts.push(
      `waiting for signal "${r.signal}"${r.signalUntil ? ` until ${iso(r.signalUntil)}` : ""}`,
    );
  if (r.children > 0)
    parts.push(`waiting for ${r.children} child workflow${r.children > 1 ? "s" : ""}`);
  const actions = r.running + r.queued - (r.retrying ? 1 : 0);
  if (actions > 0)
    parts.push(
      `waiting for ${actions} action${actions > 1 ? "s" : ""}${r.running > 0 ? ` (${r.running} running)` : ""}`,
    );
  if (parts.length === 0) return r.status === "running" ? "running" : r.status;
  return parts.join("; ");
}
