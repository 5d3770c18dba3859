#!/usr/bin/env node
// The `waymark` command. Registers tsx so user modules (and, in a checkout, our own sources)
// can be TypeScript, then runs the CLI from src/ when present, else from the build in dist/.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

register();

const src = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const dist = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
const { main } = await import(pathToFileURL(existsSync(src) ? src : dist).href);
process.exitCode = await main(process.argv.slice(2));
