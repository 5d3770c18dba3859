// biome-ignore-all lint/complexity/noThisInStatic: `this` in a static method is the subclass being asked.
import { compileWorkflowClass } from "../compiler/index.js";
import { hashProgram } from "../ir/hash.js";
import type { Program } from "../ir/types.js";
import { callerSite } from "./callSite.js";
import { runWorkflow, startWorkflow, type WorkflowHandle } from "./engine.js";
import { workflowRegistry } from "./registry.js";
import type { ActionOptions } from "./retry.js";
import { checkStartOptions, type StartOptions } from "./startOptions.js";

export interface WorkflowOptions {
  /** Registry key; default: `static workflowName`, else the lowercase class name. */
  name?: string;
  /** Version; default: `static version`, else the hash of the IR without source positions. */
  version?: string;
  /** DAG-parallel execution of independent statements; default false. */
  concurrent?: boolean;
}

interface Meta {
  className: string;
  file?: string;
  line?: number;
  options: WorkflowOptions;
}

const META = new WeakMap<object, Meta>();

/** Where `@workflow` keeps the class's undecorated `run` method (a static, non-enumerable
 *  property of the class). The engine never calls it; it lets a test run the same body as plain
 *  JavaScript (`cls[ORIGINAL_RUN].apply(new cls(), args)`) and compare with the engine. */
export const ORIGINAL_RUN: unique symbol = Symbol.for("waymark.originalRun");
const IR = new WeakMap<object, Program>();
/** Start options given to a workflow object's constructor. */
const OPTIONS = new WeakMap<object, StartOptions>();
const HASHES = new WeakMap<object, string>();

/** The start options a workflow object was constructed with (undefined: none). */
export function startOptionsOf(wf: object): StartOptions | undefined {
  return OPTIONS.get(wf);
}

type RunOf<T> = T extends { run(...args: infer A): infer R }
  ? { args: A; result: Awaited<R> }
  : never;

/** Base class of workflows. Subclasses declare `async run(...)`; `@workflow` compiles that body
 *  into IR and replaces `run` so that calling it queues a durable instance.
 *
 *  Class-level settings are read as static fields (`static workflowName`, `static version`,
 *  `static concurrent`); they are not declared here so subclasses need no `override`. */
export class Workflow {
  /** `new Wf()`, or `new Wf({ idempotencyKey, priority, startAfter })` for the start options of
   *  the instance that `start()` / `run()` queue (checked here: a bad option throws). */
  constructor(options?: StartOptions) {
    const checked = checkStartOptions(options, new.target.name);
    if (checked) OPTIONS.set(this, checked);
  }

  /** Queues an instance and returns a handle `{ id, result(), status(), cancel(), signal() }`. */
  async start<T extends { run(...args: any[]): any }>(
    this: T,
    ...args: RunOf<T>["args"]
  ): Promise<WorkflowHandle<RunOf<T>["result"]>> {
    return startWorkflow<RunOf<T>["result"]>(
      this.constructor as unknown as typeof Workflow,
      args,
      OPTIONS.get(this),
    );
  }

  /** Per-call retry/timeout. Consumed by the compiler; at JS level it returns `call`. */
  runAction<T>(call: Promise<T>, _options?: ActionOptions): Promise<T> {
    return call;
  }

  static shortName(): string {
    const meta = META.get(this);
    const stat = (this as { workflowName?: unknown }).workflowName;
    return (
      meta?.options.name ??
      (typeof stat === "string" ? stat : (meta?.className ?? this.name).toLowerCase())
    );
  }

  /** The compiled IR, built on first use and cached per class. */
  static workflowIr(): Program {
    const cached = IR.get(this);
    if (cached) return cached;
    const meta = META.get(this);
    if (!meta?.file) {
      throw new Error(
        meta
          ? `cannot locate the source file of workflow class ${meta.className}`
          : `class ${this.name} is not decorated with @workflow`,
      );
    }
    const stat = (this as { concurrent?: unknown }).concurrent;
    const concurrent = meta.options.concurrent ?? (typeof stat === "boolean" ? stat : undefined);
    const program = compileWorkflowClass({
      file: meta.file,
      className: meta.className,
      ...(meta.line !== undefined ? { line: meta.line } : {}),
      name: this.shortName(),
      ...(concurrent !== undefined ? { concurrent } : {}),
    });
    IR.set(this, program);
    return program;
  }

  /** Explicit version, else the IR hash (positions excluded: moving code keeps the version). */
  static workflowVersion(): string {
    const meta = META.get(this);
    const stat = (this as { version?: unknown }).version;
    const explicit = meta?.options.version ?? (typeof stat === "string" ? stat : undefined);
    if (explicit !== undefined) return explicit;
    // The IR is cached per class and never changes: so is its hash (hashing costs ~0.1 ms).
    let hash = HASHES.get(this);
    if (hash === undefined) {
      hash = hashProgram(this.workflowIr());
      HASHES.set(this, hash);
    }
    return hash;
  }
}

type WorkflowClass = typeof Workflow;

/** `@workflow` or `@workflow({ name, version, concurrent })` (TC39 standard decorator).
 *  Compiles the class at definition, so refusals throw there (unless WAYMARK_COMPILE=lazy,
 *  set by worker processes, which never need the IR), and registers it. */
export function workflow<C extends WorkflowClass>(cls: C, ctx: ClassDecoratorContext<C>): void;
export function workflow(
  options: WorkflowOptions,
): <C extends WorkflowClass>(cls: C, ctx: ClassDecoratorContext<C>) => void;
export function workflow<C extends WorkflowClass>(
  a: C | WorkflowOptions,
  ctx?: ClassDecoratorContext<C>,
): undefined | ((cls: C, ctx: ClassDecoratorContext<C>) => void) {
  if (typeof a === "function") {
    decorate(a, ctx!, {}, callerSite());
    return undefined;
  }
  const site = callerSite();
  return (cls: C, c: ClassDecoratorContext<C>) => decorate(cls, c, a, site);
}

function decorate<C extends WorkflowClass>(
  cls: C,
  ctx: ClassDecoratorContext<C>,
  options: WorkflowOptions,
  site: ReturnType<typeof callerSite>,
): void {
  const meta: Meta = { className: ctx?.name ?? cls.name, options };
  if (site) {
    meta.file = site.file;
    meta.line = site.line;
  }
  META.set(cls, meta);
  const body = (cls.prototype as { run?: unknown }).run;
  Object.defineProperty(cls, ORIGINAL_RUN, { configurable: true, value: body });
  // The body of `run` is never executed: calling it queues an instance and waits for it.
  Object.defineProperty(cls.prototype, "run", {
    configurable: true,
    writable: true,
    value: function run(this: Workflow, ...args: unknown[]) {
      return runWorkflow(this.constructor as WorkflowClass, args, OPTIONS.get(this));
    },
  });
  const finish = () => {
    if (process.env.WAYMARK_COMPILE !== "lazy") cls.workflowIr();
    workflowRegistry.register(cls.shortName(), cls);
  };
  // Static fields are defined after class decorators run: finish once the class is complete.
  if (ctx && typeof ctx.addInitializer === "function") ctx.addInitializer(finish);
  else finish();
}
