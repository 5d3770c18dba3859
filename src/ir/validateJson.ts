// The first validation pass: the IR must be plain JSON (it is stored in Postgres as is).
// Absent fields may be `undefined` in memory (they vanish in JSON); everything else must be a
// string, finite number, boolean, null, array or plain object, without cycles.

export function checkPlainJson(root: unknown): string[] {
  const problems: string[] = [];
  const onPath = new Set<object>();
  const visit = (v: unknown, where: string): void => {
    if (v === null || typeof v === "string" || typeof v === "boolean" || v === undefined) return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) problems.push(`${where}: ${v} is not a JSON number`);
      return;
    }
    if (typeof v !== "object") {
      problems.push(`${where}: a ${typeof v} is not JSON`);
      return;
    }
    if (onPath.has(v)) {
      problems.push(`${where}: cycle`);
      return;
    }
    // Plain in any realm (a test runner's vm context has its own Object.prototype): the
    // prototype is null, or one whose own prototype is null.
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== null && Object.getPrototypeOf(proto) !== null) {
      problems.push(`${where}: a ${proto?.constructor?.name ?? "non-plain"} object is not JSON`);
      return;
    }
    onPath.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        visit(x, `${where}[${i}]`);
      });
    } else for (const [k, x] of Object.entries(v)) visit(x, `${where}.${k}`);
    onPath.delete(v);
  };
  visit(root, "program");
  return problems;
}
