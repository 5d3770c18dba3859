// The documented payload limit (docs/reliability.md): every stored value — workflow input,
// action arguments, action result, workflow result — is at most 16 MiB once encoded as JSON.
// Enforced where the value is produced, so the error names the call site instead of surfacing
// as a database error (or an unbounded row) later.
export const MAX_PAYLOAD_BYTES = Number(process.env.WAYMARK_MAX_PAYLOAD_BYTES) || 16 * 1024 * 1024;

export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

/** Throws PayloadTooLargeError when `json` (an encoded value) exceeds the limit. */
export function assertPayloadSize(json: string, what: string): void {
  // Cheap pre-check: UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (json.length * 3 <= MAX_PAYLOAD_BYTES) return;
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new PayloadTooLargeError(
      `${what} is ${(bytes / 1048576).toFixed(1)} MiB encoded, above the ${(MAX_PAYLOAD_BYTES / 1048576).toFixed(0)} MiB payload limit: store large data elsewhere (object storage, a table) and pass a reference`,
    );
}
