import { callerSite } from "./callSite.js";
import type { ActionOptions } from "./retry.js";
import { sourceFunctionName } from "./sourceFunctionName.js";

export interface ActionDefinition {
  name: string;
  fn: (...args: any[]) => Promise<unknown>;
  /** `file:line` of the `action(...)` call. */
  site: string;
  options: ActionOptions;
}

const definitions = new Map<string, ActionDefinition>();

/** Actions registered in this process, by name. Workers execute `get(name).fn`. */
export const actionRegistry = {
  get(name: string): ActionDefinition | undefined {
    return definitions.get(name);
  },
  names(): string[] {
    return [...definitions.keys()].sort();
  },
  reset(): void {
    definitions.clear();
  },
};

type AsyncFn = (...args: any[]) => Promise<any>;

/** Registers an action: `action(fn)`, `action(name, fn)`, `action(fn, options)`,
 *  `action(name, fn, options)`. The name is the explicit one, else `fn.name`. The returned
 *  function has `fn`'s signature; in a workflow body the compiler turns a call of it into a
 *  durable action dispatch. */
export function action<F extends AsyncFn>(fn: F, options?: ActionOptions): F;
export function action<F extends AsyncFn>(name: string, fn: F, options?: ActionOptions): F;
export function action<F extends AsyncFn>(
  a: string | F,
  b?: F | ActionOptions,
  c?: ActionOptions,
): F {
  const explicit = typeof a === "string" ? a : undefined;
  const fn = (typeof a === "string" ? b : a) as F;
  const options = ((typeof a === "string" ? c : b) ?? {}) as ActionOptions;
  const s = callerSite();
  const site = s ? `${s.file}:${s.line}` : "<unknown>";
  if (typeof fn !== "function") throw new TypeError(`action(...) at ${site} needs a function`);
  // The source's name, as the compiler reads it, when a transpiler renamed the function.
  const name = explicit ?? (s ? sourceFunctionName(s) : undefined) ?? fn.name;
  if (!name) {
    throw new TypeError(
      `action(...) at ${site} has no name: pass a named function or action("name", fn)`,
    );
  }
  const existing = definitions.get(name);
  // The same definition site re-registering (a module evaluated twice) replaces itself.
  if (existing && existing.fn !== fn && existing.site !== site) {
    throw new Error(`action "${name}" is defined twice: at ${existing.site} and at ${site}`);
  }
  definitions.set(name, { name, fn, site, options });
  const wrapped = ((...args: unknown[]) => fn(...args)) as F;
  Object.defineProperty(wrapped, "name", { value: name });
  Object.defineProperty(wrapped, "actionName", { value: name });
  return wrapped;
}
