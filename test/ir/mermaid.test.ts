import assert from "node:assert/strict";
import { test } from "node:test";
import { mermaid, type Stmt } from "../../src/ir/index.js";
import {
  act,
  bin,
  call,
  fn,
  lit,
  name,
  pname,
  program,
  ret,
  sequentialChain,
  sp,
} from "./build.js";

test("a sequential chain is a straight line from start to end", () => {
  const text = mermaid(sequentialChain());
  const lines = text.split("\n");
  assert.equal(lines[0], "flowchart TD");
  assert.ok(lines.includes('    run__0["const step1 = await action stepUppercase(text)"]'));
  for (const edge of [
    "run__start --> run__0",
    "run__0 --> run__1",
    "run__1 --> run__2",
    "run__3 --> run__4",
    "run__4 --> run__end",
  ]) {
    assert.ok(lines.includes(`    ${edge}`), `missing edge ${edge}\n${text}`);
  }
});

test("branches, loops, try/catch/finally and helper calls get labelled edges", () => {
  const body: Stmt[] = [
    {
      k: "if",
      test: bin(">=", name("v"), lit(75)),
      // biome-ignore lint/suspicious/noThenProperty: the IR names this field `then`
      then: [act("a", call("high", [name("v")]))],
      span: sp(),
    },
    {
      k: "for_of",
      decl: "const",
      target: pname("x"),
      iterable: name("xs"),
      body: [
        {
          k: "try",
          body: [act("y", call("work", [name("x")]))],
          catch: {
            param: pname("err"),
            body: [{ k: "sleep", duration: lit("1s"), span: sp() }],
            span: sp(),
          },
          finally: [{ k: "call", fn: "helper", args: [], span: sp() }],
          span: sp(),
        },
      ],
      span: sp(),
    },
    ret(lit('<b>"x"</b>')),
  ];
  const text = mermaid(program([fn("run", ["v", "xs"], body), fn("helper", [], [ret()])]));
  const has = (s: string) => assert.ok(text.includes(s), `missing ${s}\n${text}`);
  has('run__0{"if (v #gt;= 75)"}');
  has("run__0 -->|true| run__0_t_0");
  has("run__0 -->|false| run__1");
  has("run__0_t_0 --> run__1");
  has('run__1{{"for (const x of xs)"}}');
  has("run__1 -->|loop| run__1_b_0");
  has("run__1_b_0 -->|catch| run__1_b_0_catch");
  has("run__1_b_0_catch --> run__1_b_0_c_0");
  has("run__1_b_0_b_0 --> run__1_b_0_finally");
  has("run__1_b_0_c_0 --> run__1_b_0_finally");
  has("run__1_b_0_f_0 --> run__1");
  has("run__1_b_0_f_0 -.->|call| helper__start");
  has("run__1 -->|done| run__2");
  has('run__2[/"return #quot;#lt;b#gt;\\#quot;x\\#quot;#lt;/b#gt;#quot;"\\]');
  has("run__2 --> run__end");
  has('subgraph helper__fn["function helper"]');
});

test("labels escape #, &, quotes and angle brackets", async () => {
  const { mermaidLabel } = await import("../../src/ir/index.js");
  assert.equal(
    mermaidLabel('const #t0 = a && "<x>"'),
    "const #35;t0 = a #amp;#amp; #quot;#lt;x#gt;#quot;",
  );
});

test("a rethrow inside try/finally goes through the finally, then to the end", () => {
  const body: Stmt[] = [
    {
      k: "try",
      body: [act("y", call("work", []))],
      catch: { param: pname("err"), body: [{ k: "rethrow", name: "err", span: sp() }], span: sp() },
      finally: [act(undefined, call("cleanup", []))],
      span: sp(),
    },
  ];
  const text = mermaid(program([fn("run", [], body)]));
  const has = (s: string) => assert.ok(text.includes(s), `missing ${s}\n${text}`);
  has("run__0_c_0 -->|throw| run__0_finally");
  has("run__0_f_0 --> run__end");
  has("run__0_finally -->|rethrow| run__end");
  assert.ok(!text.includes("run__0_c_0 -->|throw| run__end"));
});
