// `waymark schedules [list|pause|resume|delete]`: the schedules stored in the database.
import { parseSchedule } from "../schedules/scheduleExpression.js";
import { resolveConfig } from "../store/config.js";
import { releaseEmbeddedDatabase } from "../store/embedded/resolveDatabaseUrl.js";
import { migrate } from "../store/postgres/migrate.js";
import { closePools, getPool } from "../store/postgres/pool.js";
import {
  deleteScheduleRow,
  listScheduleRows,
  setSchedulePaused,
} from "../store/postgres/queries/schedules.js";

export const help = `waymark schedules [list] [--json]
waymark schedules pause|resume|delete <workflow> <schedule name>

Lists the schedules (workflow, name, expression, timezone, next fire, last fire and its
instance's state, fires and skipped fires, paused), or pauses, resumes (from now: fire times
passed while paused are not run) or deletes one. Schedules are created in code with
scheduleWorkflow(Workflow, { scheduleName, schedule, … }). Exits 1 when there is no such schedule.`;

export async function run(argv: string[]): Promise<number> {
  const [verb = "list", ...rest] = argv;
  const json = rest.includes("--json") || verb === "--json";
  const args = rest.filter((a) => a !== "--json");
  if (!["list", "--json", "pause", "resume", "delete"].includes(verb)) {
    console.error(`unknown subcommand "${verb}"\n\n${help}`);
    return 2;
  }
  if (verb !== "list" && verb !== "--json" && args.length !== 2) {
    console.error(`${verb} needs <workflow> <schedule name>\n\n${help}`);
    return 2;
  }
  try {
    const pool = getPool((await resolveConfig()).databaseUrl, 2);
    await migrate(pool);
    if (verb === "list" || verb === "--json") {
      const rows = await listScheduleRows(pool);
      if (json) {
        for (const r of rows) console.log(JSON.stringify(r));
        return 0;
      }
      if (rows.length === 0) {
        console.log("no schedules");
        return 0;
      }
      const table = [
        [
          "WORKFLOW",
          "NAME",
          "SCHEDULE",
          "TIMEZONE",
          "NEXT FIRE",
          "LAST FIRE",
          "LAST RUN",
          "FIRES",
          "",
        ],
        ...rows.map((r) => [
          r.workflow,
          r.scheduleName,
          r.schedule,
          r.timezone,
          r.paused ? "(paused)" : r.nextFireAt.toISOString(),
          r.lastFireAt?.toISOString() ?? "-",
          r.lastInstanceId ? `${r.lastInstanceId} ${r.lastStatus ?? ""}`.trim() : "-",
          String(r.fires),
          r.skipped > 0 ? `${r.skipped} skipped` : "",
        ]),
      ];
      const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
      for (const row of table)
        console.log(
          row
            .map((cell, c) => cell.padEnd(widths[c]!))
            .join("  ")
            .trimEnd(),
        );
      return 0;
    }
    const [workflow, name] = args as [string, string];
    const found =
      verb === "delete"
        ? await deleteScheduleRow(pool, workflow, name)
        : await setSchedulePaused(pool, workflow, name, verb === "pause", (e, tz) =>
            parseSchedule(e, tz).next(new Date()),
          );
    if (!found) {
      console.error(`no schedule "${name}" for workflow "${workflow}" (see \`waymark schedules\`)`);
      return 1;
    }
    console.log(
      `${verb === "delete" ? "deleted" : verb === "pause" ? "paused" : "resumed"} ${workflow}/${name}`,
    );
    return 0;
  } finally {
    await closePools();
    await releaseEmbeddedDatabase();
  }
}
