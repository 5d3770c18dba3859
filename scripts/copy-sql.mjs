// Part of `npm run build`: tsc emits only JavaScript, and the migrations are read at run time
// from the directory next to migrate.js (src/store/postgres/sql → dist/src/store/postgres/sql).
import { cpSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../src/store/postgres/sql", import.meta.url));
const to = fileURLToPath(new URL("../dist/src/store/postgres/sql", import.meta.url));
cpSync(from, to, { recursive: true, filter: (f) => !f.includes(".") || f.endsWith(".sql") });
