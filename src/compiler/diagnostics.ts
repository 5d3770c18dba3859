// Every diagnostic the compiler can emit: stable code → pattern → message → fix.
//
// Invariants: codes are stable once published (tests and users match on them); every refusal
// in the compiler goes through this table, so the wording lives in one place. `{name}`-style
// placeholders are filled from the arguments given at the report site.

export interface Diagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Short name of the refused construct (e.g. "template-tag", "new"). */
  pattern: string;
  message: string;
  fix: string;
}

interface Entry {
  pattern: string;
  message: string;
  fix: string;
}

export const DIAGNOSTICS = {
  // --- resolution (WM1xx) ---------------------------------------------------------------------
  WM100: {
    pattern: "syntax",
    message: "syntax error: {name}",
    fix: "fix the syntax error (run `tsc --noEmit` for details).",
  },
  WM101: {
    pattern: "unknown-identifier",
    message: "`{name}` is not defined in the workflow body",
    fix: "declare it as a local variable, take it as a parameter of run(), or compute it inside an action.",
  },
  WM102: {
    pattern: "unknown-call",
    message: "`{name}(...)` is neither an action, a helper method, nor a whitelisted pure built-in",
    fix: "wrap the function with action(...) and await it, or move the call into an action.",
  },
  WM103: {
    pattern: "module-value",
    message: "`{name}` cannot be inlined into the workflow: {why}",
    fix: "{fix}.",
  },
  WM104: {
    pattern: "action-name",
    message: "the name of action `{name}` cannot be determined statically",
    fix: 'give the action an explicit name: action("name", fn), or pass a named function: action(async function name() {}).',
  },
  WM105: {
    pattern: "action-options",
    message: "`{name}` cannot be read statically as {what}",
    fix: "{form}.",
  },
  WM106: {
    pattern: "unknown-method",
    message: "`this.{name}` is not a method of the workflow class or its base classes",
    fix: "declare `{name}` as a method of the class (methods are compiled as helpers), or make it an action.",
  },
  WM107: {
    pattern: "unresolved-import",
    message: "cannot resolve `{name}` imported from `{spec}`",
    fix: "import actions, enums and exception classes from a relative TypeScript module or from `waymark`.",
  },
  WM108: {
    pattern: "instanceof-target",
    message: "`{name}` on the right of `instanceof` is not a class the compiler can resolve",
    fix: "import the exception class (or use a built-in error class), or compare `err.name` instead.",
  },
  WM109: {
    pattern: "missing-run",
    message: "workflow class `{name}` has no `async run()` method",
    fix: "declare `async run(...args) { ... }` in the class body.",
  },
  WM110: {
    pattern: "class-not-found",
    message: "class `{name}` was not found in its source file",
    fix: "declare the workflow class at the top level of the module that applies @workflow.",
  },
  // --- expressions (WM2xx) --------------------------------------------------------------------
  WM201: {
    pattern: "new",
    message: "`new {name}(...)` cannot be used in a workflow body",
    fix: "construct the object inside an action and return it as plain data.",
  },
  WM202: {
    pattern: "nondeterministic",
    message: "`{name}` is nondeterministic and would differ between runs",
    fix: "call it inside an action and await the action: `const v = await readValue();`.",
  },
  WM203: {
    pattern: "await-non-action",
    message:
      "`await` of something that is not an action call, Promise.all/allSettled, a sleep or a helper method",
    fix: "await an action call (`await act(x)`), `this.runAction(act(x), opts)`, `sleep(ms)` or `this.helper()`.",
  },
  WM204: {
    pattern: "throw",
    message: "`throw` is only allowed to re-throw the error bound by an enclosing `catch`",
    fix: "throw inside an action, or re-throw the caught error: `catch (err) { ...; throw err; }`.",
  },
  WM205: {
    pattern: "function-expression",
    message: "functions cannot be created in a workflow body outside `.map`/`.filter` callbacks",
    fix: "move the logic into an action or a helper method (`this.helper(x)`).",
  },
  WM206: {
    pattern: "assignment-as-value",
    message: "an assignment (or `++`/`--`) cannot be used as a value",
    fix: "assign in its own statement first: `x = next; if (x) { ... }`.",
  },
  WM207: {
    pattern: "delete",
    message: "`delete` is not supported in a workflow body",
    fix: "build a new object without the key: `const { [key]: _, ...rest } = obj;` or use a Map and `.delete(key)`.",
  },
  WM208: {
    pattern: "comprehension-position",
    message:
      "`.{name}(...)` is only allowed as the value assigned to a variable or as the argument of Promise.all/allSettled",
    fix: "assign it to a variable first: `const ys = xs.{name}((x) => ...);`.",
  },
  WM209: {
    pattern: "callback-shape",
    message:
      "a `.map`/`.filter` callback must be an arrow function whose body is a pure expression",
    fix: "write `(x) => expr` (no block body, no await); do effectful work in a for-of loop or an action.",
  },
  WM210: {
    pattern: "gather-item",
    message:
      "each item of Promise.all/allSettled must be an action call, `this.runAction(...)` or `...xs.map((x) => act(x))`",
    fix: "await other work before the gather, or wrap it in an action.",
  },
  WM211: {
    pattern: "tagged-template",
    message: "tagged templates cannot be evaluated in a workflow body",
    fix: "build the value inside an action, or use a plain template literal.",
  },
  WM212: {
    pattern: "operator",
    message: "the `{name}` operator is not supported in a workflow body",
    fix: "write it as separate statements.",
  },
  WM213: {
    pattern: "non-local-mutation",
    message: "`{name}` mutates a value that is not rooted in a local variable of this function",
    fix: "copy the value into a local (`const copy = { ...value };`) and mutate the copy.",
  },
  WM214: {
    pattern: "method",
    message: "`.{name}(...)` is not a whitelisted method",
    fix: "use a whitelisted method (see builtins), or compute the value inside an action.",
  },
  WM215: {
    pattern: "this",
    message: "`this` can only be used to call helper methods or `this.runAction(...)`",
    fix: "pass the value as a parameter of run() or of the helper method.",
  },
  WM216: {
    pattern: "regexp",
    message: "regular expression literals cannot be stored in workflow state",
    fix: "do the matching inside an action, or use string methods such as `includes`.",
  },
  WM217: {
    pattern: "unawaited-effect",
    message: "`{name}` must be awaited where it is called",
    fix: "write `await {name}(...)`; for parallel calls use `await Promise.all([a(), b()])`.",
  },
  WM218: {
    pattern: "run-action",
    message:
      "`this.runAction(call, options)` needs an action call as its first argument and at most one options argument",
    fix: 'write `await this.runAction(act(x), { retry: new RetryPolicy({ attempts: 2 }), timeout: "30s" })`.',
  },
  WM219: {
    pattern: "gather-shape",
    message: "Promise.{name} needs an array literal or a `xs.map((x) => act(x))`",
    fix: "write `await Promise.{name}([a(x), b(y)])` or `await Promise.{name}(xs.map((x) => act(x)))`.",
  },
  WM220: {
    pattern: "super",
    message: "`super` cannot be used in a workflow body",
    fix: "call the inherited helper as `this.helper(...)`.",
  },
  WM221: {
    pattern: "meta",
    message: "`{name}` cannot be used in a workflow body",
    fix: "read the value inside an action.",
  },
  WM222: {
    pattern: "effect-in-default",
    message:
      "a default value (of a parameter or a destructuring pattern) cannot await or call helper methods",
    fix: "compute the default in the body: `if (x === undefined) { x = await act(); }`.",
  },
  WM223: {
    pattern: "effect-in-condition",
    message: "this condition cannot await: it is evaluated lazily",
    fix: "await before the statement and test the result: `const ok = await check(); ...`.",
  },
  WM224: {
    pattern: "optional-call",
    message: "optional calls `f?.()` are not supported in a workflow body",
    fix: "test the value first: `if (x) { ... }`.",
  },
  WM225: {
    pattern: "destructuring-target",
    message: "destructuring assignment can only target local variable names",
    fix: "destructure into locals, then assign the properties: `const [a] = xs; obj.p = a;`.",
  },
  WM226: {
    pattern: "unsupported-expression",
    message: "`{name}` expressions are not supported in a workflow body",
    fix: "compute the value inside an action.",
  },
  WM227: {
    pattern: "unknown-option",
    message: "`{name}` is not an option of {where}",
    fix: "check the spelling: the options of {where} are {keys}.",
  },
  WM228: {
    pattern: "computed-option-key",
    message: "the computed key `[{name}]` in the options of {where} cannot be read statically",
    fix: "write the option's name as a plain key: `{ retry: ... }`, not `{ [key]: ... }`.",
  },
  WM229: {
    pattern: "option-spread",
    message:
      "the spread `...{name}` in the options of {where} is not a spread of a constant object",
    fix: 'spread a module-level `const` object literal (`const DEFAULTS = { attempts: 3 };` then `{ ...DEFAULTS, backoff: "1s" }`), or write the options out one by one.',
  },
  WM230: {
    pattern: "on-lost",
    message:
      '`onLost: {name}` must be the string "fail" or "retry", known when the workflow is compiled',
    fix: 'write `onLost: "fail"` (a lost attempt fails the call with WorkerLostError) or `onLost: "retry"` (the default: a lost attempt runs again, up to WAYMARK_MAX_LOST_ATTEMPTS times).',
  },
  WM231: {
    pattern: "destructuring-key",
    message: "the computed key `[{name}]` in a destructuring pattern cannot be read statically",
    fix: "read the property on its own first: `const value = obj[{name}];`.",
  },
  WM240: {
    pattern: "signal-timeout",
    message:
      "`waitForSignal({name})` needs a `timeout`: a wait with no bound is how runs get stuck",
    fix: 'give the wait a bound and handle the `null` it returns when the time passes: `const d = await waitForSignal("decision", { timeout: "3d" }); if (d === null) …`.',
  },
  WM241: {
    pattern: "signal-options",
    message: "the options of `waitForSignal` must be an object literal `{ timeout }`, got {name}",
    fix: 'write `waitForSignal("name", { timeout: "1h" })` (the timeout may be a local variable: `{ timeout: t }`).',
  },
  WM242: {
    pattern: "child-start",
    message:
      "`new {name}().start()` inside a workflow body: a child's handle cannot be kept in a workflow",
    fix: "await the child: `const r = await new {name}().run(...)`; to run children side by side, put them in `Promise.all([...])` / `Promise.allSettled(xs.map((x) => new {name}().run(x)))`.",
  },
  WM243: {
    pattern: "child-options",
    message: "`new {name}(...)` with constructor arguments inside a workflow body",
    fix: "start the child without options: `await new {name}().run(...)`.",
  },
  // --- statements (WM3xx) ---------------------------------------------------------------------
  WM301: {
    pattern: "using",
    message: "`using` declarations are not supported in a workflow body",
    fix: "acquire and release the resource inside an action.",
  },
  WM302: {
    pattern: "label",
    message: "labelled statements are not supported in a workflow body",
    fix: "use a flag variable, or move the inner loop into a helper method and `return` from it.",
  },
  WM303: {
    pattern: "for-in",
    message: "`for...in` is not supported in a workflow body",
    fix: "iterate the keys explicitly: `for (const key of Object.keys(obj)) { ... }`.",
  },
  WM304: {
    pattern: "local-class",
    message: "class declarations are not allowed inside a workflow body",
    fix: "declare the class at module level and construct it inside an action.",
  },
  WM305: {
    pattern: "local-function",
    message: "function declarations are not allowed inside a workflow body",
    fix: "make it a helper method of the class (`this.helper(x)`) or an action.",
  },
  WM306: {
    pattern: "generator",
    message: "generators and `yield` are not supported in a workflow",
    fix: "collect the values in an array and return it.",
  },
  WM307: {
    pattern: "var",
    message: "`var` declarations are not supported in a workflow body",
    fix: "use `let` or `const`.",
  },
  WM308: {
    pattern: "debugger",
    message: "`debugger` statements are not supported in a workflow body",
    fix: "remove the statement; debug the action instead.",
  },
  WM309: {
    pattern: "for-await",
    message: "`for await...of` is not supported in a workflow body",
    fix: "await an action that returns an array, then use `for (const x of xs)`.",
  },
  WM310: {
    pattern: "for-of-target",
    message: "a `for...of` loop must declare its variable",
    fix: "write `for (const item of items) { ... }`.",
  },
  WM311: {
    pattern: "local-declaration",
    message: "`{name}` declarations are not allowed inside a workflow body",
    fix: "declare it at module level.",
  },
  WM312: {
    pattern: "with",
    message: "`with` statements are not supported",
    fix: "refer to the object's properties explicitly.",
  },
  WM313: {
    pattern: "unsupported-statement",
    message: "`{name}` statements are not supported in a workflow body",
    fix: "move this logic into an action.",
  },
  WM314: {
    pattern: "run-not-async",
    message: "the `{name}` method must be an async method with a body",
    fix: "declare it as `async {name}(...) { ... }`.",
  },
} as const satisfies Record<string, Entry>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** The fix of WM105, by what was expected where a value could not be read statically. */
export const OPTION_FORMS = {
  options:
    'write the options in place as an object literal, or name a module-level `const` object: `{ retry: { attempts: 3 }, timeout: "30s" }`',
  retry:
    "write `new RetryPolicy({ attempts: 3 })` or `{ attempts: 3 }` in place, or name a module-level `const` holding one; a count known only at run time goes inside: `{ attempts: n }`",
  policy: 'pass an object literal: `new RetryPolicy({ attempts: 3, backoff: "1s" })`',
  exceptionTypes:
    "write an array literal of exception classes (`[TransientError, ActionTimeout]`), or name a module-level `const` array of them",
  exceptionType:
    "name an imported or module-level exception class, `ActionTimeout`, a built-in error class, or the class name as a string",
  value:
    "write a literal, an enum member or a module-level `const` (an action's options are read once, when workflows are compiled)",
} as const;

const AS_INPUT = "pass it as an input of run() or read it inside an action";
const CONSTANT_FORMS =
  "a number, string, boolean or null literal, an array or object literal of them, or an expression of such constants (`60 * 1000`, `[...BASE, 4]`)";

/** The `{why}` and `{fix}` of WM103, by why a module-level value cannot be inlined. `{what}`
 *  is filled by the report site (the expression or the package concerned, with its place). */
export const MODULE_VALUE_REASONS = {
  let: {
    why: "it is a module-level `{what}`, which can be reassigned, so its value is not known when the workflow is compiled",
    fix: `${AS_INPUT}, or declare it \`const\` with a constant value: ${CONSTANT_FORMS}`,
  },
  "no-value": {
    why: "it is declared without a value (`declare const`), so the compiler cannot know it",
    fix: `${AS_INPUT}, or give it a constant value: ${CONSTANT_FORMS}`,
  },
  computed: {
    why: "its value uses {what}, which is not a constant known when the workflow is compiled",
    fix: `${AS_INPUT}, or make it a constant: ${CONSTANT_FORMS}`,
  },
  mutated: {
    why: "the module changes it ({what}), so the workflow would not read the value it is declared with",
    fix: `${AS_INPUT}, or stop changing it (copy it into a local inside the workflow and change the copy)`,
  },
  cycle: {
    why: "its value refers back to itself",
    fix: `give it a constant value: ${CONSTANT_FORMS}`,
  },
  action: {
    why: "it is an action, which can only be called, not held as a value",
    fix: "call it where the value is needed: `await act(x)`",
  },
  function: {
    why: "it is a function, which a workflow cannot hold as a value",
    fix: "call it inside an action, or make it a helper method of the workflow class (`this.helper(x)`)",
  },
  class: {
    why: "it is a class, which a workflow cannot hold as a value",
    fix: "test errors against it with `instanceof`, or construct its instances inside an action",
  },
  namespace: {
    why: "it is a module namespace, not a value a workflow can hold",
    fix: "read the constant you need from it: `{what}.NAME`",
  },
  sdk: {
    why: "it is an export of `waymark` that is not a value a workflow can hold",
    fix: "call it (`await sleep(ms)`, `await waitForSignal(name, { timeout })`) or use it in action options (`new RetryPolicy({ ... })`)",
  },
  external: {
    why: "it is imported from the package `{what}`, whose source the compiler does not read",
    fix: `${AS_INPUT}, or declare the constant in a relative TypeScript module`,
  },
} as const satisfies Record<string, { why: string; fix: string }>;

export type ModuleValueReason = keyof typeof MODULE_VALUE_REASONS;

/** The arguments of WM103 for `name`, refused for `reason`. */
export function moduleValueArgs(
  name: string,
  reason: ModuleValueReason,
  what = "",
): Record<string, string> {
  const r = MODULE_VALUE_REASONS[reason];
  return { name, why: fill(r.why, { what }), fix: fill(r.fix, { what }) };
}

/** The `{keys}` of WM227, by where the options are written. */
export const OPTION_KEYS = {
  runAction:
    "`retry`, `timeout` and `onLost` (`inline` belongs to the action: `action(fn, { inline: false })`)",
  action: "`retry`, `timeout`, `onLost` and `inline`",
  retry: "`attempts`, `exceptionTypes` and `backoff`",
} as const;

export function fill(text: string, args: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => args[k] ?? m);
}

export function describe(
  code: DiagnosticCode,
  args: Record<string, string> = {},
): { pattern: string; message: string; fix: string } {
  const e: Entry = DIAGNOSTICS[code];
  return { pattern: e.pattern, message: fill(e.message, args), fix: fill(e.fix, args) };
}

/** `path:line:col - error WM201: message. Fix: fix` (the `tsc` shape). */
export function formatDiagnostic(d: Diagnostic, file: string = d.file): string {
  return `${file}:${d.line}:${d.column} - error ${d.code}: ${d.message}. Fix: ${d.fix}`;
}
