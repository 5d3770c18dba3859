// Which database errors are worth repeating the same statement for: a failure of the connection
// (a server restarting, a network drop, a lost answer, a query timeout) or a conflict Postgres
// rolled back (serialization failure, deadlock) — not an error of the statement itself, which
// would fail the same way again.
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08003",
  "08006",
  "40001",
  "40P01",
]);

export function isTransientDbError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; name?: string } | null;
  if (err?.code && TRANSIENT_CODES.has(err.code)) return true;
  // Injected by the fault suite in place of a lost answer (src/failpoints).
  if (err?.name === "FailpointError") return true;
  return /Connection terminated|connection timeout|Query read timeout|not queryable/i.test(
    err?.message ?? "",
  );
}
