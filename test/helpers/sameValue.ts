// A lossless structural comparison for workflow values (SPEC §4: JSON plus undefined, Date,
// bigint, Map, Set and errors). Stricter than assert.deepStrictEqual where a workflow can
// observe the difference: numbers by Object.is (so -0 ≠ 0 and NaN = NaN), object keys in
// order (Object.keys and JSON.stringify see it), an own `undefined` property ≠ a missing one,
// array holes ≠ undefined elements, Map and Set entries in insertion order.

/** `null` when `a` and `b` are the same value; else where and how they first differ. */
export function firstDifference(a: unknown, b: unknown, path = "value"): string | null {
  if (typeof a !== typeof b) return `${path}: ${show(a)} vs ${show(b)}`;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return Object.is(a, b) ? null : `${path}: ${show(a)} vs ${show(b)}`;
  }
  const ka = kind(a);
  const kb = kind(b);
  if (ka !== kb) return `${path}: ${ka} vs ${kb}`;
  switch (ka) {
    case "Date":
      return Object.is((a as Date).getTime(), (b as Date).getTime())
        ? null
        : `${path}: ${show(a)} vs ${show(b)}`;
    case "Map":
    case "Set": {
      const ea = [...(a as Map<unknown, unknown> | Set<unknown>).entries()];
      const eb = [...(b as Map<unknown, unknown> | Set<unknown>).entries()];
      return firstDifference(ea, eb, `${path}(${ka} entries)`);
    }
    case "Array": {
      const xa = a as unknown[];
      const xb = b as unknown[];
      if (xa.length !== xb.length) return `${path}.length: ${xa.length} vs ${xb.length}`;
      for (let i = 0; i < xa.length; i++) {
        if (Object.hasOwn(xa, i) !== Object.hasOwn(xb, i)) return `${path}[${i}]: hole vs element`;
        const d = firstDifference(xa[i], xb[i], `${path}[${i}]`);
        if (d) return d;
      }
      return null;
    }
    default: {
      const keysA = Object.keys(a);
      const keysB = Object.keys(b);
      if (keysA.join("\u0000") !== keysB.join("\u0000")) {
        return `${path}: keys ${JSON.stringify(keysA)} vs ${JSON.stringify(keysB)}`;
      }
      for (const k of keysA) {
        const d = firstDifference(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
          /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`,
        );
        if (d) return d;
      }
      return null;
    }
  }
}

function kind(v: object): string {
  if (Array.isArray(v)) return "Array";
  if (v instanceof Date) return "Date";
  if (v instanceof Map) return "Map";
  if (v instanceof Set) return "Set";
  if (v instanceof Error) return "Error";
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? "Object" : "class instance";
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? "invalid" : v.toISOString()})`;
  if (v === null || typeof v !== "object") return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
