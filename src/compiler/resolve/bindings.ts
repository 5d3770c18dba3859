import ts from "typescript";
import { skipOuter } from "../source.js";
import { type LocalDecl, loadModule, type ModuleInfo } from "./module.js";
import { classifySpecifier } from "./paths.js";

/** What a module-level name resolves to, after following imports and re-exports. */
export type Binding =
  | { k: "decl"; mod: ModuleInfo; name: string; decl: LocalDecl }
  /** An export of the `waymark` SDK (`action`, `sleep`, `RetryPolicy`, `ActionTimeout`, …). */
  | { k: "sdk"; name: string }
  /** An export of `node:timers/promises`. */
  | { k: "timers"; name: string }
  | { k: "namespace"; mod: ModuleInfo }
  | { k: "sdkNamespace" }
  | { k: "timersNamespace" }
  /** An import from a package the compiler does not read. */
  | { k: "external"; spec: string; name: string }
  | { k: "unresolved"; spec: string; name: string; node: ts.Node };

/** Resolves a top-level name of `mod` (a local declaration or an import). */
export function resolveName(mod: ModuleInfo, name: string): Binding | undefined {
  const local = mod.locals.get(name);
  if (local) return { k: "decl", mod, name, decl: local };
  const imp = mod.imports.get(name);
  if (!imp) return undefined;
  return resolveImport(mod, imp.spec, imp.imported, imp.node, new Set());
}

function resolveImport(
  mod: ModuleInfo,
  spec: string,
  imported: string,
  node: ts.Node,
  seen: Set<string>,
): Binding {
  const kind = classifySpecifier(spec, mod.file);
  switch (kind.k) {
    case "sdk":
      return imported === "*" ? { k: "sdkNamespace" } : { k: "sdk", name: imported };
    case "timers":
      return imported === "*" ? { k: "timersNamespace" } : { k: "timers", name: imported };
    case "external":
      return { k: "external", spec, name: imported };
    case "missing":
      return { k: "unresolved", spec, name: imported, node };
    case "file": {
      const target = loadModule(kind.path);
      if (imported === "*") return { k: "namespace", mod: target };
      return (
        resolveExport(target, imported, seen) ?? { k: "unresolved", spec, name: imported, node }
      );
    }
  }
}

/** Resolves `exported` as seen by importers of `mod`: `export const`, `export { a as b }`,
 *  `export { a } from "./x.js"`, `export * from "./x.js"`. */
export function resolveExport(
  mod: ModuleInfo,
  exported: string,
  seen: Set<string> = new Set(),
): Binding | undefined {
  const key = `${mod.file}\0${exported}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const entry = mod.exports.get(exported);
  if (entry?.k === "local") return resolveName(mod, entry.name);
  if (entry?.k === "from") return resolveImport(mod, entry.spec, entry.imported, mod.sf, seen);
  for (const spec of mod.starExports) {
    const kind = classifySpecifier(spec, mod.file);
    if (kind.k === "sdk") return { k: "sdk", name: exported };
    if (kind.k !== "file") continue;
    const found = resolveExport(loadModule(kind.path), exported, seen);
    if (found) return found;
  }
  return undefined;
}

/** Is `node` (a callee or class) the SDK export `name`? */
export function isSdkExport(mod: ModuleInfo, node: ts.Expression, name: string): boolean {
  const e = skipOuter(node);
  if (ts.isIdentifier(e)) {
    const b = resolveName(mod, e.text);
    return b?.k === "sdk" && b.name === name;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
    return resolveName(mod, e.expression.text)?.k === "sdkNamespace" && e.name.text === name;
  }
  return false;
}
