import { relative } from "node:path";
import { compileFile, formatDiagnostic } from "../compiler/index.js";
import { mermaid, printProgram } from "../ir/index.js";

export const help = `waymark ir <file> [Workflow] [--text | --graph]   print a workflow's IR and its graph

Prints the IR as text (printProgram) followed by the Mermaid flowchart of its control flow.
Without [Workflow], every @workflow class of the file is printed. --text / --graph print
only one of the two.`;

export async function run(argv: string[]): Promise<number> {
  const args = argv.filter((a) => !a.startsWith("-"));
  const onlyText = argv.includes("--text");
  const onlyGraph = argv.includes("--graph");
  const [file, className] = args;
  if (!file) {
    console.error(help);
    return 1;
  }
  const results = compileFile(file).filter((r) => !className || r.className === className);
  if (results.length === 0) {
    console.error(
      className
        ? `waymark ir: no @workflow class ${className} in ${file}`
        : `waymark ir: no @workflow class in ${file}`,
    );
    return 1;
  }
  let failed = false;
  const out: string[] = [];
  for (const r of results) {
    if (r.diagnostics.length > 0 || !r.program) {
      failed = true;
      for (const d of r.diagnostics)
        console.error(formatDiagnostic(d, relative(process.cwd(), d.file)));
      continue;
    }
    if (!onlyGraph) out.push(printProgram(r.program).trimEnd());
    if (!onlyText)
      out.push(`${onlyGraph ? "" : "--- mermaid ---\n"}${mermaid(r.program).trimEnd()}`);
  }
  if (out.length > 0) console.log(out.join("\n\n"));
  return failed ? 1 : 0;
}
