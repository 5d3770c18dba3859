// Fire times of schedules with an injected clock: cron across DST changes, intervals, the
// catch-up policies, and refused expressions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dueFires } from "../../src/schedules/dueFires.js";
import { parseSchedule } from "../../src/schedules/scheduleExpression.js";

const d = (s: string) => new Date(s);

test("cron in Europe/Paris across spring forward: 02:30 (skipped) fires once, at 03:00 local", () => {
  const e = parseSchedule("30 2 * * *", "Europe/Paris");
  const fires: string[] = [];
  let t = d("2026-03-27T12:00:00Z");
  for (let i = 0; i < 3; i++) {
    t = e.next(t);
    fires.push(t.toISOString());
  }
  assert.deepEqual(fires, [
    "2026-03-28T01:30:00.000Z", // 02:30 CET
    "2026-03-29T01:00:00.000Z", // 02:30 does not exist: once, at 03:00 CEST
    "2026-03-30T00:30:00.000Z", // 02:30 CEST
  ]);
});

test("cron in Europe/Paris across fall back: 02:30 (repeated) fires once", () => {
  const e = parseSchedule("30 2 * * *", "Europe/Paris");
  const fires: string[] = [];
  let t = d("2026-10-24T12:00:00Z");
  for (let i = 0; i < 2; i++) {
    t = e.next(t);
    fires.push(t.toISOString());
  }
  assert.deepEqual(fires, ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
});

test("a weekly cron in a timezone, and 6 fields with seconds", () => {
  assert.equal(
    parseSchedule("0 9 * * 1", "Europe/Paris").next(d("2026-12-07T00:00:00Z")).toISOString(),
    "2026-12-07T08:00:00.000Z",
  );
  assert.equal(
    parseSchedule("*/15 * * * * *", "UTC").next(d("2026-12-07T00:00:01Z")).toISOString(),
    "2026-12-07T00:00:15.000Z",
  );
});

test("intervals follow the last fire time", () => {
  const e = parseSchedule("30s", "UTC");
  assert.equal(e.kind, "interval");
  assert.equal(e.next(d("2026-12-07T00:00:00Z")).toISOString(), "2026-12-07T00:00:30.000Z");
});

test("catch-up after downtime: one (latest), all, none; on-time fires always run", () => {
  const e = parseSchedule("1m", "UTC");
  const next = d("2026-12-07T00:01:00Z");
  const now = d("2026-12-07T00:05:30Z"); // 00:01 … 00:05 passed (5 fires), none on time
  const one = dueFires(e, next, now, "one");
  assert.deepEqual(
    one.fires.map((x) => x.toISOString()),
    ["2026-12-07T00:05:00.000Z"],
  );
  assert.equal(one.dropped, 4);
  assert.equal(one.nextFireAt.toISOString(), "2026-12-07T00:06:00.000Z");
  assert.equal(dueFires(e, next, now, "all").fires.length, 5);
  const none = dueFires(e, next, now, "none");
  assert.deepEqual(none.fires, []);
  assert.equal(none.dropped, 5);
  const onTime = dueFires(e, d("2026-12-07T00:05:25Z"), now, "none");
  assert.equal(onTime.fires.length, 1, "a fire 5 s late is on time");
});

test("bad expressions and timezones are refused with what to write", () => {
  assert.throws(() => parseSchedule("every day", "UTC"), /a cron expression has 5 fields/);
  assert.throws(() => parseSchedule("61 * * * *", "UTC"), /schedule "61 \* \* \* \*"/);
  assert.throws(() => parseSchedule("* * * * *", "Mars/Base"), /unknown timezone "Mars\/Base"/);
  assert.throws(() => parseSchedule("100ms", "UTC"), /an interval must be at least 1s/);
});
