// Pure-expression and pattern printing for the IR text format (see print.ts). The output is
// TypeScript-like, fully determined by the node (never by spans), and parenthesized by
// precedence so it reads back unambiguously.

import type {
  ArrayItem,
  EffectCall,
  Expr,
  LValue,
  ObjectProp,
  Param,
  Pattern,
  RetrySpec,
} from "./types.js";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Higher binds tighter. `??` shares the level of `||`; mixing them always gets parentheses.
const BINARY_PREC: Record<string, number> = {
  "||": 3,
  "??": 3,
  "&&": 4,
  "|": 5,
  "^": 6,
  "&": 7,
  "===": 8,
  "!==": 8,
  "==": 8,
  "!=": 8,
  "<": 9,
  "<=": 9,
  ">": 9,
  ">=": 9,
  in: 9,
  instanceof: 9,
  "<<": 10,
  ">>": 10,
  ">>>": 10,
  "+": 11,
  "-": 11,
  "*": 12,
  "/": 12,
  "%": 12,
  "**": 13,
};
const PREC_COND = 2;
const PREC_UNARY = 14;
const PREC_POSTFIX = 16;
const PREC_PRIMARY = 17;

function precOf(e: Expr): number {
  switch (e.k) {
    case "cond":
      return PREC_COND;
    case "binary":
    case "logical":
      return BINARY_PREC[e.op] ?? 0;
    case "instanceof":
      return 9;
    case "unary":
      return PREC_UNARY;
    case "member":
    case "index":
    case "builtin":
    case "method":
    case "map":
    case "filter":
      return PREC_POSTFIX;
    default:
      return PREC_PRIMARY;
  }
}

function wrap(e: Expr, min: number): string {
  const s = printExpr(e);
  return precOf(e) < min ? `(${s})` : s;
}

export function printLiteral(value: unknown): string {
  if (typeof value === "number") {
    if (Object.is(value, -0)) return "-0";
    return Number.isFinite(value) ? String(value) : `/* non-JSON number ${value} */`;
  }
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  return `/* non-JSON literal ${typeof value} */`;
}

export function printKey(key: string): string {
  return IDENT.test(key) ? key : JSON.stringify(key);
}

export function printItems(items: ArrayItem[]): string {
  return items
    .map((it) => (it.k === "spread" ? `...${wrap(it.expr, 3)}` : printExpr(it)))
    .join(", ");
}

function printProp(p: ObjectProp): string {
  switch (p.k) {
    case "prop":
      return `${printKey(p.key)}: ${printExpr(p.value)}`;
    case "computed":
      return `[${printExpr(p.key)}]: ${printExpr(p.value)}`;
    case "spread":
      return `...${wrap(p.expr, 3)}`;
    default:
      return unknown(p);
  }
}

function unknown(node: unknown): string {
  const k = (node as { k?: unknown } | null)?.k;
  return `/* unknown node ${JSON.stringify(k ?? null)} */`;
}

function printBinary(op: string, left: Expr, right: Expr): string {
  const p = BINARY_PREC[op] ?? 0;
  const mixesNullish = (e: Expr) =>
    e.k === "logical" && (op === "??") !== (e.op === "??") && (op === "??" || e.op === "??");
  const side = (e: Expr, min: number) => (mixesNullish(e) ? `(${printExpr(e)})` : wrap(e, min));
  if (op === "**") {
    // `-a ** b` is a syntax error in JavaScript: a unary left operand needs parentheses.
    return `${side(left, PREC_UNARY + 1)} ** ${side(right, p)}`;
  }
  return `${side(left, p)} ${op} ${side(right, p + 1)}`;
}

function printCallback(params: Pattern[], body: Expr): string {
  const body_ = body.k === "object" ? `(${printExpr(body)})` : wrap(body, PREC_COND);
  return `(${params.map(printPattern).join(", ")}) => ${body_}`;
}

export function printExpr(e: Expr): string {
  switch (e.k) {
    case "lit":
      return printLiteral(e.value);
    case "undefined":
      return "undefined";
    case "name":
      return e.name;
    case "array":
      return `[${printItems(e.items)}]`;
    case "object":
      return e.props.length === 0 ? "{}" : `{ ${e.props.map(printProp).join(", ")} }`;
    case "member": {
      const obj = wrap(e.object, PREC_POSTFIX);
      if (IDENT.test(e.property)) return `${obj}${e.optional ? "?." : "."}${e.property}`;
      return `${obj}${e.optional ? "?." : ""}[${JSON.stringify(e.property)}]`;
    }
    case "index":
      return `${wrap(e.object, PREC_POSTFIX)}${e.optional ? "?." : ""}[${printExpr(e.index)}]`;
    case "unary": {
      const sep = e.op === "typeof" || e.op === "void" ? " " : "";
      // `- -x` and `+ +x` must not print as the `--` / `++` tokens.
      const arg = wrap(e.arg, PREC_UNARY);
      const glue = sep || (arg.startsWith(e.op) && (e.op === "-" || e.op === "+") ? " " : "");
      return `${e.op}${glue}${arg}`;
    }
    case "binary":
    case "logical":
      return printBinary(e.op, e.left, e.right);
    case "cond":
      return `${wrap(e.test, PREC_COND + 1)} ? ${wrap(e.then, PREC_COND)} : ${wrap(e.else, PREC_COND)}`;
    case "builtin":
      return `${e.fn}(${printItems(e.args)})`;
    case "method":
      return `${wrap(e.object, PREC_POSTFIX)}${e.optional ? "?." : "."}${e.method}(${printItems(e.args)})`;
    case "map":
    case "filter":
      return `${wrap(e.source, PREC_POSTFIX)}.${e.k}(${printCallback(e.params, e.body)})`;
    case "instanceof":
      return `${wrap(e.value, 10)} instanceof ${e.className}`;
    default:
      return unknown(e);
  }
}

export function printPattern(p: Pattern): string {
  switch (p.k) {
    case "pname":
      return p.name;
    case "parray": {
      const parts = p.elements.map((el) => {
        if (el === null) return "";
        const d = el.default ? ` = ${printExpr(el.default)}` : "";
        return `${printPattern(el.target)}${d}`;
      });
      if (p.rest) parts.push(`...${printPattern(p.rest)}`);
      // A trailing hole needs its comma to survive: `[a, ,]`.
      const tail = p.elements.length > 0 && p.elements.at(-1) === null && !p.rest ? "," : "";
      return `[${parts.join(", ")}${tail}]`;
    }
    case "pobject": {
      const parts = p.props.map((pp) => {
        const d = pp.default ? ` = ${printExpr(pp.default)}` : "";
        const short = pp.target.k === "pname" && pp.target.name === pp.key;
        return short ? `${pp.key}${d}` : `${printKey(pp.key)}: ${printPattern(pp.target)}${d}`;
      });
      if (p.rest) parts.push(`...${printPattern(p.rest)}`);
      return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
    }
    default:
      return unknown(p);
  }
}

export function printParam(p: Param): string {
  const d = p.default ? ` = ${printExpr(p.default)}` : "";
  return `${p.rest ? "..." : ""}${printPattern(p.target)}${d}`;
}

export function printLValue(l: LValue): string {
  switch (l.k) {
    case "lname":
      return l.name;
    case "lmember":
      return IDENT.test(l.property)
        ? `${wrap(l.object, PREC_POSTFIX)}.${l.property}`
        : `${wrap(l.object, PREC_POSTFIX)}[${JSON.stringify(l.property)}]`;
    case "lindex":
      return `${wrap(l.object, PREC_POSTFIX)}[${printExpr(l.index)}]`;
    case "lpattern":
      return printPattern(l.pattern);
    default:
      return unknown(l);
  }
}

export function printRetry(r: RetrySpec): string {
  const parts: string[] = [];
  if (r.attempts) parts.push(`attempts: ${printExpr(r.attempts)}`);
  if (r.exceptionTypes) parts.push(`exceptionTypes: [${r.exceptionTypes.join(", ")}]`);
  if (r.backoff) parts.push(`backoff: ${printExpr(r.backoff)}`);
  return `retry{${parts.join(", ")}}`;
}

/** `action name(args) retry{…} timeout …` — the options only when given; `child name(args)`,
 *  `signal(name) timeout …`, `sleep(d)` for the other effect calls. */
export function printActionCall(c: EffectCall): string {
  if (c.k === "call_child") return `child ${c.workflow}(${printItems(c.args)})`;
  if (c.k === "call_signal") return `signal(${printExpr(c.name)}) timeout ${printExpr(c.timeout)}`;
  if (c.k === "call_sleep") return `sleep(${printExpr(c.duration)})`;
  let s = `action ${c.action}(${printItems(c.args)})`;
  if (c.retry) s += ` ${printRetry(c.retry)}`;
  if (c.timeout) s += ` timeout ${printExpr(c.timeout)}`;
  if (c.onLost) s += ` onLost ${c.onLost}`;
  return s;
}
