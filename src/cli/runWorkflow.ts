// `waymark run <module> <Workflow> [args...]`: queues one instance from the command line and
// waits for it, showing its state live; prints the result (JSON when it is plain JSON).
// Shared with `waymark dev`, which runs a workflow the same way.
import { inspect } from "node:util";
import { closeWaymark, startWorkflow, type WorkflowHandle } from "../client/engine.js";
import { WorkflowFailedError } from "../client/errors.js";
import { workflowRegistry } from "../client/registry.js";
import { Workflow } from "../client/workflow.js";
import { resolveConfig } from "../store/config.js";
import { getPool } from "../store/postgres/pool.js";
import { liveProcesses } from "../store/postgres/queries/listInstances.js";
import { resolveModuleSpecifier } from "../worker/loadUserModules.js";
import { progress } from "./progress.js";

export const help = `waymark run <module> <Workflow> [args...] [--no-wait]

Imports <module>, queues one instance of the workflow class <Workflow> (its class name or its
registered name) with the given arguments, shows its state while it runs and prints the result.
Each argument is parsed as JSON ('"hi"', 5, '[1,2]', '{"a":1}'); one that is not valid JSON
is passed as a string (hello → "hello"). A runner and workers must be live on the same
database (\`waymark start-workers --module <module>\`, or \`waymark dev\`).
  --no-wait   print the instance id and exit (see \`waymark status\`)
Exit code: 0 completed, 1 failed or cancelled, 2 usage error.`;

/** One CLI argument: JSON when it parses, else the string itself. */
export function parseArg(a: string): unknown {
  try {
    return JSON.parse(a);
  } catch {
    return a;
  }
}

/** JSON when the value survives JSON unchanged, else util.inspect (Map, Set, Date, bigint…). */
export function formatValue(v: unknown): string {
  try {
    const json = JSON.stringify(v);
    if (
      json !== undefined &&
      inspect(JSON.parse(json), { depth: null }) === inspect(v, { depth: null })
    )
      return json;
  } catch {
    // bigint and cycles: fall through
  }
  return inspect(v, { depth: null, breakLength: Number.POSITIVE_INFINITY });
}

export type WorkflowClass = typeof Workflow;

/** The workflow class named `name` among `mod`'s exports or the registry. */
export function findWorkflow(mod: Record<string, unknown>, name: string): WorkflowClass {
  const byExport = mod[name];
  const cls =
    typeof byExport === "function" && byExport.prototype instanceof Workflow
      ? byExport
      : (workflowRegistry.get(name) ?? workflowRegistry.get(name.toLowerCase()));
  if (!cls) {
    const names = Object.entries(mod)
      .filter(([, v]) => typeof v === "function" && v.prototype instanceof Workflow)
      .map(([k]) => k);
    throw new UsageError(
      `no workflow class "${name}" in the module; it exports: ${names.join(", ") || "(no @workflow classes)"}`,
    );
  }
  return cls as WorkflowClass;
}

export class UsageError extends Error {}

/** Waits for `handle`, showing its state; warns (with the fix) when no runner is live. */
export async function waitWithProgress<R>(label: string, handle: WorkflowHandle<R>): Promise<R> {
  const bar = progress(label);
  const cfg = await resolveConfig();
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      try {
        const [state, live] = await Promise.all([
          handle.status(),
          liveProcesses(getPool(cfg.databaseUrl), cfg.lockTtlMs),
        ]);
        bar.update(
          live.runners === 0
            ? `${state} — no runner is live on this database: start one with \`waymark start-workers --module <module>\` or use \`waymark dev\``
            : state,
        );
      } catch {
        // progress is best effort
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const polling = poll();
  try {
    return await handle.result();
  } finally {
    stopped = true;
    bar.done();
    await polling;
  }
}

export async function run(argv: string[]): Promise<number> {
  const noWait = argv.includes("--no-wait");
  const [modulePath, name, ...rest] = argv.filter((a) => a !== "--no-wait");
  if (!modulePath || !name) {
    console.error(`missing ${modulePath ? "<Workflow>" : "<module> and <Workflow>"}\n\n${help}`);
    return 2;
  }
  try {
    const mod = (await import(resolveModuleSpecifier(modulePath)).catch((e) => {
      throw new UsageError(`cannot import ${modulePath}: ${(e as Error).message}`);
    })) as Record<string, unknown>;
    const cls = findWorkflow(mod, name);
    const args = rest.map(parseArg);
    const handle = await startWorkflow(cls, args);
    console.error(`started ${cls.name} instance ${handle.id}`);
    if (noWait) {
      console.log(handle.id);
      return 0;
    }
    const result = await waitWithProgress(`${cls.name} #${handle.id}`, handle);
    console.log(formatValue(result));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    if (WorkflowFailedError.is(e)) {
      console.error(`${e.type}: ${e.error.message}`);
      return 1;
    }
    throw e;
  } finally {
    await closeWaymark();
  }
}
