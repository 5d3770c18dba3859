// `waymark <command> [args]`: a table of commands, each a module with `help` and `run(argv)`.
// Command modules are imported lazily so `waymark check` never loads the database driver.

export interface Command {
  /** Usage line(s) shown by `waymark help` and `waymark <command> --help`. */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: Record<string, () => Promise<Command>> = {
  dev: () => import("./dev.js"),
  "start-workers": async () => {
    const m = await import("./startWorkers.js");
    return { help: m.usage, run: m.startWorkers };
  },
  run: () => import("./runWorkflow.js"),
  status: () => import("./status.js"),
  cancel: () => import("./cancel.js"),
  requeue: () => import("./requeue.js"),
  signal: () => import("./signal.js"),
  dashboard: () => import("./dashboard.js"),
  schedules: () => import("./schedules.js"),
  check: () => import("./check.js"),
  ir: () => import("./ir.js"),
  migrate: async () => {
    const m = await import("./migrate.js");
    return { help: m.usage, run: m.migrateCommand };
  },
};

async function usage(): Promise<string> {
  const lines = ["usage: waymark <command> [options]", "", "commands:"];
  for (const name of Object.keys(COMMANDS)) {
    const cmd = await COMMANDS[name]!();
    lines.push(`  ${cmd.help.split("\n")[0]}`);
  }
  lines.push("", "waymark <command> --help   details of one command");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(await usage());
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`waymark: unknown command "${name}"\n\n${await usage()}`);
    return 1;
  }
  const cmd = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.help);
    return 0;
  }
  return cmd.run(rest);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
