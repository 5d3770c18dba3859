// Queues one workflow instance and wakes runners, in one statement (one implicit transaction,
// so the NOTIFY is delivered only if the insert commits). The notification announces the new
// instance with its input (freshPayloadSql): a runner that hears it starts the instance without
// a claim; its wake-up is set FRESH_GRACE_MS ahead, for any runner to claim it should nobody
// have heard (types.ts).
import { CHANNEL_INSTANCES, freshPayloadSql, freshWakeSql, type Queryable } from "./types.js";

export async function insertInstance(
  db: Queryable,
  versionId: string,
  workflowName: string,
  inputJson: string,
): Promise<string> {
  const res = await db.query<{ id: string }>({
    name: "waymark_insert_instance",
    text: `with ins as (
             insert into waymark_instances (version_id, workflow_name, input, status, wake_at)
             values ($1, $2, $3::json, 'queued', ${freshWakeSql("$3::json")})
             returning id, version_id, workflow_name, input
           )
           select id, pg_notify('${CHANNEL_INSTANCES}', ${freshPayloadSql("ins")}) from ins`,
    values: [versionId, workflowName, inputJson],
  });
  const id = res.rows[0]?.id;
  if (id === undefined) throw new Error("insert of workflow instance returned no id");
  return id;
}

export interface InstanceInsert {
  versionId: string;
  workflowName: string;
  inputJson: string;
}

/** Queues several instances in one statement (one commit, a NOTIFY per row). Returns their ids in
 *  the order given: ids are drawn from the sequence in a materialized CTE keyed by ordinality,
 *  so the mapping does not depend on the order of RETURNING. */
export async function insertInstances(db: Queryable, rows: InstanceInsert[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const res = await db.query<{ id: string }>({
    name: "waymark_insert_instances",
    text: `with input as materialized (
             select nextval('waymark_instances_id_seq') as id, t.ord, t.version_id, t.workflow_name, t.input
             from unnest($1::bigint[], $2::text[], $3::json[]) with ordinality
               as t(version_id, workflow_name, input, ord)
           ),
           ins as (
             insert into waymark_instances (id, version_id, workflow_name, input, status, wake_at)
             select id, version_id, workflow_name, input, 'queued', ${freshWakeSql("input.input")} from input
             returning id, version_id, workflow_name, input
           ),
           n as (select pg_notify('${CHANNEL_INSTANCES}', ${freshPayloadSql("ins")}) from ins)
           select id, (select count(*) from n) as notified from input order by ord`,
    values: [
      rows.map((r) => r.versionId),
      rows.map((r) => r.workflowName),
      rows.map((r) => r.inputJson),
    ],
  });
  if (res.rows.length !== rows.length)
    throw new Error("batched insert of workflow instances returned the wrong number of ids");
  return res.rows.map((r) => r.id);
}
