/** A JSON document as produced by `JSON.parse`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The tag key of the value codec. A user object that owns this key is escaped as
 *  `{ "$wm": "obj", "v": {...} }`, so a tag is never confused with user data. */
export const TAG = "$wm";

/** Assigns an own data property, also for the key `__proto__` (plain assignment would
 *  replace the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** `root.key` for identifier keys, `root["odd key"]` otherwise. */
export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
