// Run by test/testing/runners.test.ts under vitest and under jest: waymark/testing needs
// nothing from node:test (no globals, no hooks). `describe`/`it`/`expect` are the runner's.
import { createTestEnvironment } from "waymark/testing";
import { getTimestamp } from "../../../examples/actions.js";
import { DurableSleepWorkflow, SequentialChainWorkflow } from "../../../examples/workflows.js";

describe("waymark/testing under this runner", () => {
  it("runs a workflow and skips its sleep", async () => {
    const env = createTestEnvironment({ now: 0 });
    env.mockAction(getTimestamp, async () => env.now().getTime());
    expect(await env.run(DurableSleepWorkflow, 86_400)).toEqual({
      seconds: 86_400,
      sleptLongEnough: true,
    });
    expect(env.now().getTime()).toBe(86_400_000);
  });
  it("keeps environments apart", async () => {
    const [a, b] = [createTestEnvironment(), createTestEnvironment()];
    expect(await a.run(SequentialChainWorkflow, "ab")).toMatchObject({ step3: "**BA**" });
    expect(b.calls()).toHaveLength(0);
    expect(a.calls()).toHaveLength(4);
  });
});
