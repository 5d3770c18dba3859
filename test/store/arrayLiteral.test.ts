// arrayLiteral builds the array parameters of the persist statement: every value must come back
// from Postgres exactly as sent, whatever characters it holds, through the same casts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { arrayLiteral } from "../../src/store/postgres/arrayLiteral.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let db: TestDb;
let client: pg.Client;
before(async () => {
  db = await createTestDb();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await db.drop();
});

async function roundTrip(values: unknown[], type: string): Promise<unknown[]> {
  const r = await client.query<{ v: unknown[] }>(`select $1::${type}[] as v`, [
    arrayLiteral(values),
  ]);
  return r.rows[0]?.v as unknown[];
}

test("text elements keep quotes, backslashes, commas, braces, NULL-like words and unicode", async () => {
  const values = [
    'he said "hi"',
    "C:\\path\\",
    "a,b",
    "{x}",
    "NULL",
    "null",
    "",
    " spaced ",
    "tab\tnew\nline",
    "é ☃ 𝄞",
    '\\"',
    null,
  ];
  assert.deepEqual(await roundTrip(values, "text"), values);
});

test("json elements arrive as the same JSON text", async () => {
  const docs = [
    JSON.stringify({ a: 'q"uote', b: "back\\slash", c: [1, { d: null }] }),
    JSON.stringify("just a string"),
    "null",
    null,
  ];
  const r = await client.query<{ v: string[] }>("select $1::json[]::text[] as v", [
    arrayLiteral(docs),
  ]);
  assert.deepEqual(r.rows[0]?.v, docs);
});

test("numbers, numeric strings, booleans and dates", async () => {
  assert.deepEqual(await roundTrip([1, -2, 0, null, 2147483647], "int"), [
    1,
    -2,
    0,
    null,
    2147483647,
  ]);
  assert.deepEqual(await roundTrip(["9007199254740993", "1", null], "bigint"), [
    "9007199254740993",
    "1",
    null,
  ]);
  const f = (await roundTrip([1.5, Number.POSITIVE_INFINITY, null], "float8")) as unknown[];
  assert.deepEqual(f, [1.5, Number.POSITIVE_INFINITY, null]);
  assert.deepEqual(await roundTrip([true, false, null], "boolean"), [true, false, null]);
  const at = new Date("2026-01-02T03:04:05.678Z");
  const d = (await roundTrip([at, null], "timestamptz")) as (Date | null)[];
  assert.equal(d[0]?.getTime(), at.getTime());
  assert.equal(d[1], null);
  assert.deepEqual(await roundTrip([], "text"), []);
});

test("an invalid date is refused with a reason, not sent", () => {
  assert.throws(() => arrayLiteral([new Date(Number.NaN)]), /invalid Date in an array parameter/);
});
