// One line per notable event, filtered by WAYMARK_LOG_LEVEL.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const l = (process.env.WAYMARK_LOG_LEVEL ?? "info") as Level;
  return LEVELS[l] ?? LEVELS.info;
}

function emit(level: Level, component: string, msg: string): void {
  if (LEVELS[level] < threshold()) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component} ${process.pid}] ${msg}\n`;
  process.stderr.write(line);
}

export function logger(component: string) {
  return {
    debug: (m: string) => emit("debug", component, m),
    info: (m: string) => emit("info", component, m),
    warn: (m: string) => emit("warn", component, m),
    error: (m: string) => emit("error", component, m),
  };
}
export type Logger = ReturnType<typeof logger>;
