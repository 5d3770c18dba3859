// The instance ids a command takes as its arguments (`waymark cancel 12 13`, `waymark requeue 7`).

/** The ids, or undefined after printing why they are not (the command exits 2). */
export function instanceIds(argv: string[], help: string): string[] | undefined {
  const ids = argv.filter((a) => !a.startsWith("-"));
  if (ids.length === 0 || ids.length !== argv.length) {
    console.error(`${ids.length === 0 ? "missing instance id" : "unknown option"}\n\n${help}`);
    return undefined;
  }
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad) {
    console.error(`"${bad}" is not an instance id (a number shown by \`waymark status\`)`);
    return undefined;
  }
  return ids;
}
