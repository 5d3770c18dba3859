// The payload of NOTIFY waymark_done, written by the SQL that makes an instance terminal
// (persistInstances, cancelInstance — see donePayloadSql there):
//   `<id>`                    the outcome is too large for a notification: read the row;
//   `<id> <status> <json>`    the terminal status and the encoded result (completed) or error
//                             (failed, cancelled; empty = cancelled without one).
// Postgres caps a payload below 8,000 bytes; outcomes up to DONE_PAYLOAD_MAX_BYTES ride along.
import type { InstanceOutcome } from "../store/postgres/queries/clientQueries.js";

export function parseDonePayload(payload: string): { id: string; outcome?: InstanceOutcome } {
  const a = payload.indexOf(" ");
  if (a < 0) return { id: payload };
  const id = payload.slice(0, a);
  const b = payload.indexOf(" ", a + 1);
  if (b < 0) return { id };
  const status = payload.slice(a + 1, b);
  const text = payload.slice(b + 1);
  let value: unknown = null;
  try {
    value = text === "" ? null : JSON.parse(text);
  } catch {
    return { id }; // not ours to interpret: fall back to reading the row
  }
  return status === "completed"
    ? { id, outcome: { status, result: value, error: null } }
    : { id, outcome: { status, result: null, error: value } };
}
