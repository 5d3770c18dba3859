import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { compileFile, formatDiagnostic } from "../compiler/index.js";

export const help = `waymark check <files|dirs...>   compile every @workflow class, print diagnostics like tsc

Directories are searched recursively for .ts files (node_modules, dist and dot-folders are
skipped). Exits 1 when any diagnostic is reported, 0 otherwise. Nothing is executed: the
classes are found and compiled statically.`;

const SKIP = new Set(["node_modules", "dist"]);

/** .ts source files under the given paths, sorted (declaration files excluded). */
export function sourceFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (SKIP.has(name) || name.startsWith(".")) continue;
        walk(join(p, name));
      }
    } else if (/\.(m|c)?tsx?$/.test(p) && !/\.d\.(m|c)?ts$/.test(p)) {
      out.push(resolve(p));
    }
  };
  for (const p of paths) walk(p);
  return [...new Set(out)];
}

export async function run(argv: string[]): Promise<number> {
  const paths = argv.filter((a) => !a.startsWith("-"));
  if (paths.length === 0) {
    console.error(help);
    return 1;
  }
  let files: string[];
  try {
    files = sourceFiles(paths);
  } catch (e) {
    console.error(`waymark check: ${(e as Error).message}`);
    return 1;
  }
  let workflows = 0;
  let errors = 0;
  const failedFiles = new Set<string>();
  for (const file of files) {
    for (const r of compileFile(file)) {
      workflows += 1;
      for (const d of r.diagnostics) {
        errors += 1;
        failedFiles.add(d.file);
        console.log(formatDiagnostic(d, relative(process.cwd(), d.file)));
      }
    }
  }
  if (errors > 0) {
    const s = errors === 1 ? "" : "s";
    console.log(
      `\nFound ${errors} error${s} in ${failedFiles.size} file${failedFiles.size === 1 ? "" : "s"} (${workflows} workflows checked).`,
    );
    return 1;
  }
  console.log(
    `Checked ${workflows} workflow${workflows === 1 ? "" : "s"} in ${files.length} file${files.length === 1 ? "" : "s"}: no problems.`,
  );
  return 0;
}
