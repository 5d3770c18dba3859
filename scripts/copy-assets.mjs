// Part of `npm run build`: tsc emits only JavaScript. Files read at run time from next to their
// module are copied into dist/: the migrations (src/store/postgres/sql) and the dashboard's
// static files (src/dashboard/static).
import { cpSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const copy = (dir, keep) =>
  cpSync(
    fileURLToPath(new URL(`../src/${dir}`, import.meta.url)),
    fileURLToPath(new URL(`../dist/src/${dir}`, import.meta.url)),
    {
      recursive: true,
      filter: (f) => !basename(f).includes(".") || keep.some((e) => f.endsWith(e)),
    },
  );
copy("store/postgres/sql", [".sql"]);
copy("dashboard/static", [".css", ".js"]);
