#!/usr/bin/env node
// The `waymark` command. Registers tsx so user modules (and, in a checkout, our own sources)
// can be TypeScript, then runs the CLI from src/ when present, else from the build in dist/.
import { existsSync } from "node:fs";
import { register as registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const src = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const dist = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
const fromSource = existsSync(src);

if (fromSource) {
  // In a checkout, `import ... from "waymark"` must reach src/ (the `waymark-dev` export
  // condition), as `node --conditions=waymark-dev` would do.
  const hook = `export async function resolve(specifier, context, next) {
    const conditions = [...new Set([...(context.conditions ?? []), "waymark-dev"])];
    return next(specifier, { ...context, conditions });
  }`;
  registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
}
register();

const { main } = await import(pathToFileURL(fromSource ? src : dist).href);
process.exitCode = await main(process.argv.slice(2));
