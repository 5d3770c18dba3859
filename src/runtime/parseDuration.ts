const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a number (ms) or a duration string: "500ms", "30s", "2m", "1h", "1d",
 *  "1.5s", compounds such as "1h30m", or a bare number string ("250" = 250 ms). Throws a
 *  TypeError on anything else (including NaN and ±Infinity). Negative numbers are returned
 *  as is; callers decide (a sleep clamps to 0). */
export function parseDuration(d: number | string): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d)) throw new TypeError(`invalid duration: ${d}`);
    return d;
  }
  if (typeof d !== "string") throw new TypeError(`invalid duration: ${String(d)}`);
  const s = d.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let matched = false;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = re.lastIndex;
    matched = true;
    while (s[pos] === " ") pos++;
    re.lastIndex = pos;
  }
  if (!matched || pos !== s.length) {
    throw new TypeError(
      `invalid duration ${JSON.stringify(d)} (use e.g. "500ms", "30s", "2m", "1h")`,
    );
  }
  return Math.round(total);
}
