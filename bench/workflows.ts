// The bench's actions and workflows. Loaded twice: by the bench client (to queue instances) and by
// `waymark start-workers` through WAYMARK_USER_MODULE (to run the actions). The shapes mirror the
// peer harness (../shared/bench) so that the figures compare like with like.
import { action, sleep, Workflow, waitForSignal, workflow } from "waymark";

/** The no-op step: x + 1 (the DBOS harness's `noop`). */
export const benchNoop = action(async function benchNoop(x: number) {
  return x + 1;
});

/** The aggregating step of the fan-out scenario. */
export const benchSum = action(async function benchSum(xs: number[]) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
});

/** A: three sequential no-op actions; run(i) = i + 3. */
@workflow
export class BenchSequential extends Workflow {
  async run(i: number) {
    const a = await benchNoop(i);
    const b = await benchNoop(a);
    return await benchNoop(b);
  }
}

/** B and D: one action per item in parallel, then one aggregating action.
 *  run([0..n-1]) = n(n+1)/2. */
@workflow
export class BenchFanOut extends Workflow {
  async run(items: number[]) {
    const rs = await Promise.all(items.map((x) => benchNoop(x)));
    return await benchSum(rs);
  }
}

/** C: a durable sleep, then one action; run(ms, i) = i + 1. */
@workflow
export class BenchSleep extends Workflow {
  async run(ms: number, i: number) {
    await sleep(ms);
    return await benchNoop(i);
  }
}

/** E: waits for one signal and returns its payload (the DBOS harness's `recv`). */
@workflow
export class BenchSignal extends Workflow {
  async run() {
    return await waitForSignal<number>("go", { timeout: "60s" });
  }
}

/** E: one no-op action as a child workflow; run(x) = x + 1. */
@workflow
export class BenchChild extends Workflow {
  async run(x: number) {
    return await benchNoop(x);
  }
}

/** E: one child workflow per item, all at once, then a sum; run([0..n-1]) = n(n+1)/2. */
@workflow
export class BenchChildren extends Workflow {
  async run(items: number[]) {
    const rs = await Promise.all(items.map((x) => new BenchChild().run(x)));
    return await benchSum(rs);
  }
}

/** F: what each schedule fire runs (one no-op action). */
@workflow
export class BenchTick extends Workflow {
  async run(i: number) {
    return await benchNoop(i);
  }
}
