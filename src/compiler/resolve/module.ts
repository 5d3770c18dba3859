import ts from "typescript";
import { hasModifier, parseFile } from "../source.js";

/** What one top-level name of a module is bound to, before classification. */
export type LocalDecl =
  | { k: "var"; node: ts.VariableDeclaration; isConst: boolean }
  | { k: "enum"; node: ts.EnumDeclaration }
  | { k: "class"; node: ts.ClassDeclaration }
  | { k: "function"; node: ts.FunctionDeclaration };

export interface ImportBinding {
  spec: string;
  /** Exported name in the target module; "*" for a namespace import. */
  imported: string;
  node: ts.Node;
}

export type ExportEntry =
  | { k: "local"; name: string }
  | { k: "from"; spec: string; imported: string };

/** Static facts about a module's top level. Nothing is executed. */
export interface ModuleInfo {
  file: string;
  sf: ts.SourceFile;
  locals: Map<string, LocalDecl>;
  imports: Map<string, ImportBinding>;
  exports: Map<string, ExportEntry>;
  starExports: string[];
}

const modules = new Map<string, { sf: ts.SourceFile; info: ModuleInfo }>();

export function loadModule(file: string): ModuleInfo {
  const sf = parseFile(file);
  const hit = modules.get(file);
  if (hit && hit.sf === sf) return hit.info;
  const info = scanModule(file, sf);
  modules.set(file, { sf, info });
  return info;
}

function scanModule(file: string, sf: ts.SourceFile): ModuleInfo {
  const info: ModuleInfo = {
    file,
    sf,
    locals: new Map(),
    imports: new Map(),
    exports: new Map(),
    starExports: [],
  };
  const exported = (node: ts.Node, name: string) => {
    if (hasModifier(node, ts.SyntaxKind.ExportKeyword)) {
      const isDefault = hasModifier(node, ts.SyntaxKind.DefaultKeyword);
      info.exports.set(isDefault ? "default" : name, { k: "local", name });
    }
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const spec = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (!clause) continue;
      if (clause.name)
        info.imports.set(clause.name.text, { spec, imported: "default", node: clause.name });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        info.imports.set(nb.name.text, { spec, imported: "*", node: nb });
      } else if (nb) {
        for (const el of nb.elements) {
          const imported = (el.propertyName ?? el.name).text;
          info.imports.set(el.name.text, { spec, imported, node: el });
        }
      }
    } else if (ts.isExportDeclaration(st)) {
      const spec =
        st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
          ? st.moduleSpecifier.text
          : undefined;
      const clause = st.exportClause;
      if (!clause) {
        if (spec) info.starExports.push(spec);
      } else if (ts.isNamespaceExport(clause)) {
        if (spec) info.exports.set(clause.name.text, { k: "from", spec, imported: "*" });
      } else {
        for (const el of clause.elements) {
          const local = (el.propertyName ?? el.name).text;
          info.exports.set(
            el.name.text,
            spec ? { k: "from", spec, imported: local } : { k: "local", name: local },
          );
        }
      }
    } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) {
      info.exports.set("default", { k: "local", name: st.expression.text });
    } else if (ts.isVariableStatement(st)) {
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        info.locals.set(d.name.text, { k: "var", node: d, isConst });
        exported(st, d.name.text);
      }
    } else if (ts.isEnumDeclaration(st)) {
      info.locals.set(st.name.text, { k: "enum", node: st });
      exported(st, st.name.text);
    } else if (ts.isClassDeclaration(st) && st.name) {
      info.locals.set(st.name.text, { k: "class", node: st });
      exported(st, st.name.text);
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      info.locals.set(st.name.text, { k: "function", node: st });
      exported(st, st.name.text);
    }
  }
  return info;
}
