// Queues one workflow instance and wakes runners, in one statement (one implicit transaction,
// so the NOTIFY is delivered only if the insert commits).
import { CHANNEL_INSTANCES, type Queryable } from "./types.js";

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
             values ($1, $2, $3::jsonb, 'queued', now())
             returning id
           )
           select id, pg_notify('${CHANNEL_INSTANCES}', '') from ins`,
    values: [versionId, workflowName, inputJson],
  });
  const id = res.rows[0]?.id;
  if (id === undefined) throw new Error("insert of workflow instance returned no id");
  return id;
}
