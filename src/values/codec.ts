// The lossless value codec: tagged JSON.
//
// Invariants:
// - Plain JSON (null, booleans, strings, finite numbers other than -0, arrays, plain objects
//   without a "$wm" key) encodes to itself, so stored payloads stay readable.
// - Every other storable value is an object `{ "$wm": <tag>, ... }`:
//     undef                 undefined (top level, array element or property value)
//     num    v: "NaN" | "Infinity" | "-Infinity" | "-0"
//     bigint v: decimal string
//     date   v: ISO string, or null for an invalid Date
//     map    v: [[key, value], ...]        set  v: [value, ...]
//     error  v: ErrorValue (a real Error instance, recorded through errorToValue, or a caught
//            error record of a workflow, every field listed); in graph mode a caught record
//            also carries h: the keys it keeps non-enumerable (caughtError.ts)
//     obj    v: {...}   a user object that itself owns a "$wm" key
//   and, only in graph mode (encodeGraph):
//     def    id, v: the first occurrence of an object reachable more than once
//     ref    id: a later occurrence of it (shared reference or cycle)
// - Anything else (functions, symbols, class instances, cycles outside graph mode) is refused
//   with an UnserializableValueError naming the path; nothing is ever silently dropped.
import { caughtErrorFields, hiddenErrorKeys, hideErrorKeys, isCaughtError } from "./caughtError.js";
import { errorToValue } from "./errorToValue.js";
import { childPath, type Json, setOwn, TAG } from "./json.js";
import { UnserializableValueError } from "./UnserializableValueError.js";

type Kind = "array" | "plain" | "date" | "map" | "set" | "error";

function kindOf(v: object, path: string): Kind {
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  if (v instanceof Map) return "map";
  if (v instanceof Set) return "set";
  if (v instanceof Error || isCaughtError(v)) return "error";
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return "plain";
  const ctor = (proto as { constructor?: { name?: string } }).constructor?.name || "anonymous";
  throw new UnserializableValueError(
    path,
    `is an instance of class ${ctor} (only plain objects, arrays, Date, Map, Set and errors can be stored)`,
  );
}

class Encoder {
  /** Graph mode: objects reachable more than once, and their ids once defined. */
  private readonly counts: Map<object, number> | null;
  private readonly ids = new Map<object, number>();
  /** Non-graph mode: the objects on the current path, to refuse cycles. */
  private readonly ancestors = new Set<object>();

  constructor(graph: boolean, root?: unknown) {
    this.counts = graph ? new Map() : null;
    if (graph) this.count(root);
  }

  private count(v: unknown): void {
    const stack: unknown[] = [v];
    while (stack.length > 0) {
      const x = stack.pop();
      if (x === null || typeof x !== "object") continue;
      const n = this.counts!.get(x) ?? 0;
      this.counts!.set(x, n + 1);
      if (n > 0) continue;
      if (Array.isArray(x)) {
        for (let i = 0; i < x.length; i++) stack.push(x[i]);
      } else if (x instanceof Map) {
        for (const [k, y] of x) stack.push(k, y);
      } else if (x instanceof Set) {
        for (const y of x) stack.push(y);
      } else if (isCaughtError(x)) {
        for (const k of Object.getOwnPropertyNames(x))
          stack.push((x as Record<string, unknown>)[k]);
      } else if (!(x instanceof Date) && !(x instanceof Error)) {
        for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
      }
    }
  }

  encode(v: unknown, path: string): Json {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        if (Number.isNaN(v)) return { [TAG]: "num", v: "NaN" };
        if (v === Number.POSITIVE_INFINITY) return { [TAG]: "num", v: "Infinity" };
        if (v === Number.NEGATIVE_INFINITY) return { [TAG]: "num", v: "-Infinity" };
        if (Object.is(v, -0)) return { [TAG]: "num", v: "-0" };
        return v;
      case "undefined":
        return { [TAG]: "undef" };
      case "bigint":
        return { [TAG]: "bigint", v: v.toString() };
      case "function":
        throw new UnserializableValueError(path, "is a function");
      case "symbol":
        throw new UnserializableValueError(path, "is a symbol");
    }
    if (v === null) return null;
    const obj = v as object;
    if (this.counts) {
      const id = this.ids.get(obj);
      if (id !== undefined) return { [TAG]: "ref", id };
      if ((this.counts.get(obj) ?? 0) > 1) {
        const newId = this.ids.size;
        this.ids.set(obj, newId);
        return { [TAG]: "def", id: newId, v: this.encodeObject(obj, path) };
      }
      return this.encodeObject(obj, path);
    }
    if (this.ancestors.has(obj)) {
      throw new UnserializableValueError(path, "is a cycle (the value contains itself)");
    }
    this.ancestors.add(obj);
    try {
      return this.encodeObject(obj, path);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  private encodeObject(obj: object, path: string): Json {
    switch (kindOf(obj, path)) {
      case "array": {
        const a = obj as unknown[];
        const out: Json[] = [];
        for (let i = 0; i < a.length; i++) out.push(this.encode(a[i], `${path}[${i}]`));
        return out;
      }
      case "date": {
        const t = (obj as Date).getTime();
        return { [TAG]: "date", v: Number.isNaN(t) ? null : (obj as Date).toISOString() };
      }
      case "map": {
        const out: Json[] = [];
        let i = 0;
        for (const [k, x] of obj as Map<unknown, unknown>) {
          const p = `${path}[map entry ${i++}]`;
          out.push([this.encode(k, `${p}.key`), this.encode(x, `${p}.value`)]);
        }
        return { [TAG]: "map", v: out };
      }
      case "set": {
        const out: Json[] = [];
        let i = 0;
        for (const x of obj as Set<unknown>) out.push(this.encode(x, `${path}[set item ${i++}]`));
        return { [TAG]: "set", v: out };
      }
      case "error": {
        if (!isCaughtError(obj)) return { [TAG]: "error", v: this.encode(errorToValue(obj), path) };
        const v = this.encode(caughtErrorFields(obj), path);
        return this.counts ? { [TAG]: "error", v, h: hiddenErrorKeys(obj) } : { [TAG]: "error", v };
      }
      case "plain": {
        const rec = obj as Record<string, unknown>;
        const out: Record<string, Json> = {};
        for (const k of Object.keys(rec)) setOwn(out, k, this.encode(rec[k], childPath(path, k)));
        return Object.hasOwn(rec, TAG) ? { [TAG]: "obj", v: out } : out;
      }
    }
  }
}

/** Lossless tagged JSON of a value (see the header). `what` names the root in error paths. */
export function encodeValue(v: unknown, what = "value"): Json {
  return new Encoder(false).encode(v, what);
}

/** Like encodeValue, but keeps shared references and cycles (used for interpreter state). */
export function encodeGraph(v: unknown): Json {
  return new Encoder(true, v).encode(v, "state");
}

/** Registers the object a `def` node decodes to before its children are decoded (so that
 *  references inside it resolve). A module-level function, not a closure per node: decoding
 *  runs for every held instance on every step. */
function reg<T>(x: T, defs: Map<number, unknown> | null, defId: number | undefined): T {
  if (defId !== undefined) defs?.set(defId, x);
  return x;
}

function decode(j: Json, defs: Map<number, unknown> | null, defId?: number): unknown {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) {
    const out = reg([] as unknown[], defs, defId);
    for (const x of j) out.push(decode(x, defs));
    return out;
  }
  if (!Object.hasOwn(j, TAG)) return decodePlain(j, reg({}, defs, defId), defs);
  const v = j.v;
  switch (j[TAG]) {
    case "undef":
      return undefined;
    case "num":
      return Number(v as string);
    case "bigint":
      return BigInt(v as string);
    case "date":
      return reg(new Date(v === null ? Number.NaN : (v as string)), defs, defId);
    case "map": {
      const m = reg(new Map<unknown, unknown>(), defs, defId);
      for (const e of v as Json[][]) m.set(decode(e[0] as Json, defs), decode(e[1] as Json, defs));
      return m;
    }
    case "set": {
      const s = reg(new Set<unknown>(), defs, defId);
      for (const e of v as Json[]) s.add(decode(e, defs));
      return s;
    }
    case "error": {
      // `v` is the record as encoded (a plain object, or escaped when it owns a "$wm" key).
      const rec = decode(v as Json, defs, defId) as Record<string, unknown>;
      if (Array.isArray(j.h)) hideErrorKeys(rec, j.h as string[]);
      return rec;
    }
    case "obj":
      return decodePlain(v as Record<string, Json>, reg({}, defs, defId), defs);
    case "def":
      if (!defs) throw new TypeError("decodeValue: graph reference outside encodeGraph data");
      return decode(v as Json, defs, j.id as number);
    case "ref":
      if (!defs?.has(j.id as number)) throw new TypeError(`decode: unknown reference ${j.id}`);
      return defs.get(j.id as number);
    default:
      throw new TypeError(`decode: unknown tag ${JSON.stringify(j[TAG])}`);
  }
}

function decodePlain(
  j: Record<string, Json>,
  out: Record<string, unknown>,
  defs: Map<number, unknown> | null,
): Record<string, unknown> {
  for (const k of Object.keys(j)) setOwn(out, k, decode(j[k] as Json, defs));
  return out;
}

/** Inverse of encodeValue. Recorded errors come back as plain ErrorValue records. */
export function decodeValue(j: Json): unknown {
  return decode(j, null);
}

/** Inverse of encodeGraph: shared references, cycles and caught error records are restored. */
export function decodeGraph(j: Json): unknown {
  return decode(j, new Map());
}
