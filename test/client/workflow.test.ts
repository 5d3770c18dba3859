import assert from "node:assert/strict";
import { test } from "node:test";
import {
  action,
  actionRegistry,
  hashProgramForTest,
  UnsupportedPatternError,
  Workflow,
  workflow,
  workflowRegistry,
} from "./clientImports.js";

export const greetAction = action(async function greetAction(name: string) {
  return `hi ${name}`;
});

test("@workflow registers under the lowercase class name and compiles at definition", () => {
  @workflow
  class GreeterFlow extends Workflow {
    async run(name: string) {
      return await greetAction(name);
    }
  }
  assert.equal(GreeterFlow.shortName(), "greeterflow");
  assert.equal(workflowRegistry.get("greeterflow"), GreeterFlow);
  const ir = GreeterFlow.workflowIr();
  assert.equal(ir.className, "GreeterFlow");
  assert.equal(ir.workflow, "greeterflow");
  assert.equal(GreeterFlow.workflowIr(), ir, "cached");
  assert.equal(GreeterFlow.workflowVersion(), hashProgramForTest(ir));
  assert.match(GreeterFlow.workflowVersion(), /^[0-9a-f]{16}$/);
});

test("decorator options: name, version, concurrent", () => {
  @workflow({ name: "custom-name", version: "v7", concurrent: true })
  class OptionsFlow extends Workflow {
    async run() {
      return await greetAction("x");
    }
  }
  assert.equal(OptionsFlow.shortName(), "custom-name");
  assert.equal(OptionsFlow.workflowVersion(), "v7");
  assert.equal(OptionsFlow.workflowIr().concurrent, true);
  assert.equal(OptionsFlow.workflowIr().workflow, "custom-name");
  assert.equal(workflowRegistry.get("custom-name"), OptionsFlow);
});

test("static fields: workflowName, version, concurrent", () => {
  @workflow
  class StaticFlow extends Workflow {
    static workflowName = "static-name";
    static version = "s1";
    static concurrent = true;
    async run() {
      return await greetAction("y");
    }
  }
  assert.equal(StaticFlow.shortName(), "static-name");
  assert.equal(StaticFlow.workflowVersion(), "s1");
  assert.equal(StaticFlow.workflowIr().concurrent, true);
  assert.equal(workflowRegistry.get("static-name"), StaticFlow);
});

test("a duplicate workflow name is an error naming both classes", () => {
  @workflow({ name: "dup-name" })
  class FirstDup extends Workflow {
    async run() {
      return 1;
    }
  }
  assert.throws(
    () => {
      @workflow({ name: "dup-name" })
      class SecondDup extends Workflow {
        async run() {
          return 2;
        }
      }
      return SecondDup;
    },
    (e: unknown) => e instanceof Error && /FirstDup/.test(e.message) && /SecondDup/.test(e.message),
  );
  assert.equal(workflowRegistry.get("dup-name"), FirstDup);
});

test("refusals throw UnsupportedPatternError at class definition", () => {
  assert.throws(
    () => {
      @workflow
      class RefusedFlow extends Workflow {
        async run() {
          return Date.now();
        }
      }
      return RefusedFlow;
    },
    (e: unknown) => {
      assert.ok(e instanceof UnsupportedPatternError);
      assert.equal(e.diagnostics[0]!.code, "WM202");
      assert.match(e.file, /workflow\.test\.ts$/);
      return true;
    },
  );
  assert.equal(workflowRegistry.get("refusedflow"), undefined);
});

test("WAYMARK_COMPILE=lazy defers compilation to first use", () => {
  process.env.WAYMARK_COMPILE = "lazy";
  try {
    @workflow
    class LazyRefused extends Workflow {
      async run() {
        return Math.random();
      }
    }
    assert.equal(workflowRegistry.get("lazyrefused"), LazyRefused);
    assert.throws(() => LazyRefused.workflowIr(), UnsupportedPatternError);
  } finally {
    delete process.env.WAYMARK_COMPILE;
  }
});

test("registry names/reset", () => {
  assert.ok(workflowRegistry.names().includes("greeterflow"));
  class Loose {}
  workflowRegistry.register("loose", Loose);
  workflowRegistry.register("loose", Loose);
  assert.equal(workflowRegistry.get("loose"), Loose);
});

test("action registry: names, sites, duplicate names from two sites", async () => {
  assert.equal(actionRegistry.get("greetAction")?.name, "greetAction");
  assert.match(actionRegistry.get("greetAction")!.site, /workflow\.test\.ts:\d+$/);
  assert.equal(await greetAction("z"), "hi z");
  const named = action("explicit-action", async (n: number) => n + 1, { timeout: "1s" });
  assert.equal(await named(1), 2);
  assert.deepEqual(actionRegistry.get("explicit-action")!.options, { timeout: "1s" });
  assert.throws(() => action(async (n: number) => n), /has no name/);
  assert.throws(
    () => action("explicit-action", async (n: number) => n),
    (e: unknown) =>
      e instanceof Error &&
      /defined twice/.test(e.message) &&
      (e.message.match(/workflow\.test\.ts/g) ?? []).length === 2,
  );
});

test("runAction returns the call at JS level", async () => {
  const w = new Workflow();
  const p = Promise.resolve(5);
  assert.equal(w.runAction(p), p);
});
