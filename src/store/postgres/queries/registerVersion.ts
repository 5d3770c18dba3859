// Registers a workflow version, insert-if-absent. (name, version) is immutable: registering the
// same key with a different IR is an error, never an overwrite. One round trip in the common
// case (the row exists or is inserted by this statement).
import type { Queryable } from "./types.js";

export class VersionConflictError extends Error {
  constructor(name: string, version: string) {
    super(
      `workflow "${name}" version "${version}" is already registered with a different IR; ` +
        "versions are immutable: give the changed workflow a new version (or leave version unset to use the IR hash)",
    );
    this.name = "VersionConflictError";
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export async function registerVersion(
  db: Queryable,
  name: string,
  version: string,
  ir: unknown,
): Promise<string> {
  const irText = JSON.stringify(ir);
  // The CTE inserts when absent; otherwise the existing row is read. `ir` comes back so the
  // caller compares it (jsonb normalizes key order, so compare canonical forms).
  const res = await db.query<{ id: string; ir: unknown }>(
    `with ins as (
       insert into waymark_workflow_versions (name, version, ir) values ($1, $2, $3::jsonb)
       on conflict (name, version) do nothing
       returning id, ir
     )
     select id, ir from ins
     union all
     select id, ir from waymark_workflow_versions where name = $1 and version = $2 and not exists (select 1 from ins)`,
    [name, version, irText],
  );
  let row = res.rows[0];
  if (!row) {
    // A concurrent insert committed between our snapshot and the conflict check: read again.
    const again = await db.query<{ id: string; ir: unknown }>(
      "select id, ir from waymark_workflow_versions where name = $1 and version = $2",
      [name, version],
    );
    row = again.rows[0];
    if (!row) throw new Error(`could not register workflow "${name}" version "${version}"`);
  }
  if (canonical(row.ir) !== canonical(JSON.parse(irText)))
    throw new VersionConflictError(name, version);
  return row.id;
}

export async function loadVersion(
  db: Queryable,
  versionId: string,
): Promise<{ name: string; version: string; ir: unknown }> {
  const res = await db.query<{ name: string; version: string; ir: unknown }>(
    "select name, version, ir from waymark_workflow_versions where id = $1",
    [versionId],
  );
  const row = res.rows[0];
  if (!row) throw new Error(`workflow version ${versionId} not found`);
  return row;
}
