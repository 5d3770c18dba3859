// `npm run build` makes the package as published (dist/): the JavaScript, the migrations
// read at run time next to migrate.js, and the dashboard's static files.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("the build carries every migration, and the built migrate.js lists them", async () => {
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "pipe" });
  const src = readdirSync(`${root}/src/store/postgres/sql`).filter((f) => f.endsWith(".sql"));
  const built = readdirSync(`${root}/dist/src/store/postgres/sql`).sort();
  assert.ok(src.length >= 8, `expected the migrations in src, found ${src.length}`);
  assert.deepEqual(built, [...src].sort());
  const migrate = (await import(
    pathToFileURL(`${root}/dist/src/store/postgres/migrate.js`).href
  )) as { listMigrations(): { name: string; sql: string }[] };
  const listed = migrate.listMigrations();
  assert.equal(listed.length, src.length);
  assert.ok(listed.every((m) => m.sql.trim().length > 0));
});

test("the build carries the dashboard's static files", () => {
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "pipe" });
  const src = readdirSync(`${root}/src/dashboard/static`).sort();
  assert.deepEqual(src, ["dashboard.css", "dashboard.js"]);
  assert.deepEqual(readdirSync(`${root}/dist/src/dashboard/static`).sort(), src);
});
