// Postgres array literals built here instead of by node-postgres: the persist statement passes a
// dozen arrays per batch (one per column), and the driver's generic path (prepareValue on every
// element, then two regular-expression passes per string) showed as ~7 % of the runner's CPU
// profile in scenario A (docs/performance.md, ninth round). The text sent is the literal the
// driver would build, read by the parameter's `$n::<type>[]` cast on the server.
//
// Invariant: every element is either NULL or a double-quoted element with `\` and `"` escaped
// (or, for numbers and booleans, a bare token that cannot contain `,`, `{`, `}` or a quote), so
// no value can split into two elements or end the literal.

function quoted(s: string): string {
  // Two literal replaces beat one with a pattern and `$&` (half the time for JSON text); most
  // strings (ids, names, statuses) hold neither character and skip both.
  const bs = s.includes("\\");
  if (!bs && !s.includes('"')) return `"${s}"`;
  return `"${(bs ? s.replaceAll("\\", "\\\\") : s).replaceAll('"', '\\"')}"`;
}

function element(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  switch (typeof v) {
    case "string":
      return quoted(v);
    case "number":
      // NaN and ±Infinity as the float8 spellings; an int column rejects them, as it should.
      return Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
    case "boolean":
      return v ? "t" : "f";
    case "bigint":
      return v.toString();
    default:
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new TypeError("an invalid Date in an array parameter");
        return `"${v.toISOString()}"`;
      }
      // Objects are passed as JSON text (a json[] column), as JSON.stringify would write them.
      return quoted(JSON.stringify(v));
  }
}

/** The array literal of `values` ('{}' for none), for a `$n::<type>[]` parameter. */
export function arrayLiteral(values: readonly unknown[]): string {
  if (values.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += element(values[i]);
  }
  return `${out}}`;
}
