// Imports the user's modules (which register actions and workflows as a side effect).
// Relative paths resolve against the current directory; other specifiers import as packages.
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export function resolveModuleSpecifier(spec: string): string {
  if (spec.startsWith("file:")) return spec;
  if (isAbsolute(spec) || spec.startsWith(".") || /\.(m|c)?[jt]sx?$/.test(spec))
    return pathToFileURL(resolve(spec)).href;
  return spec;
}

export async function loadUserModules(specs: string[]): Promise<void> {
  for (const spec of specs) await import(resolveModuleSpecifier(spec));
}
