// Workflows the runtime and engine tests drive (retries, timeouts, wide fan-out, sleeps in loops,
// try/finally per item, early return, helper methods, value round trips, concurrent mode).
// Each comment gives the input and the expected result.

import { setTimeout as delay } from "node:timers/promises";
import { ActionTimeout, RetryPolicy, Workflow, workflow } from "waymark";
import {
  addOne,
  double,
  echoValue,
  flakyUntilThird,
  hangUntilAborted,
  isTarget,
  joinLabels,
  makeRange,
  processItemMayFail,
  slowValue,
  stepUppercase,
  sumAll,
  wrapWith,
} from "./actions.js";
import { ItemProcessingError } from "./errors.js";

// run("x") → { label: "x", attempt: 3 }   (attempts 1 and 2 fail, 3 of the allowed 4 succeeds)
@workflow
export class RetryCounterWorkflow extends Workflow {
  async run(label: string) {
    return await this.runAction(flakyUntilThird(label), {
      retry: new RetryPolicy({ attempts: 4, backoff: 10 }),
    });
  }
}

// run(true)  → "done on attempt 2"   (attempt 1 times out after 200 ms; ActionTimeout is named
//                                     in exceptionTypes, so attempt 2 runs and succeeds)
// run(false) → "timed out: ActionTimeout"   (a catch-all policy never retries ActionTimeout)
@workflow
export class TimeoutProbeWorkflow extends Workflow {
  async run(retryTimeouts: boolean) {
    try {
      if (retryTimeouts) {
        return await this.runAction(hangUntilAborted(2), {
          timeout: "200ms",
          retry: new RetryPolicy({ attempts: 3, exceptionTypes: [ActionTimeout], backoff: 10 }),
        });
      }
      return await this.runAction(hangUntilAborted(2), {
        timeout: "200ms",
        retry: new RetryPolicy({ attempts: 3, backoff: 10 }),
      });
    } catch (err) {
      if (err instanceof ActionTimeout) {
        return "timed out: " + err.name;
      }
      throw err;
    }
  }
}

// run(100) → 10100   (100 parallel `double` calls, then one `sumAll`); run(0) → 0
@workflow
export class WideFanOutWorkflow extends Workflow {
  async run(n: number) {
    const xs = await makeRange(n);
    const doubled = await Promise.all(xs.map((x) => double(x)));
    return await sumAll(doubled);
  }
}

// run(3, 50) → 3   (three durable 50 ms sleeps, each followed by one `addOne`)
@workflow
export class SleepLoopWorkflow extends Workflow {
  async run(count: number, ms: number) {
    let total = 0;
    let i = 0;
    while (i < count) {
      await delay(ms);
      total = await addOne(total);
      i++;
    }
    return total;
  }
}

// run(["a", "bad-b", "c"]) → { results: ["processed:a", "failed:bad-b", "processed:c"],
//                              finallyRuns: 3 }
@workflow
export class TryPerItemWorkflow extends Workflow {
  async run(items: string[]) {
    const results: string[] = [];
    let finallyRuns = 0;
    for (const item of items) {
      try {
        results.push(
          await this.runAction(processItemMayFail(item), {
            retry: new RetryPolicy({ attempts: 1 }),
          }),
        );
      } catch (err) {
        if (err instanceof ItemProcessingError) {
          results.push(`failed:${item}`);
        } else {
          throw err;
        }
      } finally {
        finallyRuns += 1;
      }
    }
    return { results, finallyRuns };
  }
}

// run([[1, 2], [3, 4]], 3) → { row: 1, col: 0 }   (stops after 3 `isTarget` calls)
// run([[1, 2]], 9)         → null
@workflow
export class EarlyReturnWorkflow extends Workflow {
  async run(grid: number[][], target: number) {
    for (let row = 0; row < grid.length; row++) {
      const cells = grid[row] ?? [];
      for (let col = 0; col < cells.length; col++) {
        const hit = await isTarget(cells[col], target);
        if (hit) {
          return { row, col };
        }
      }
    }
    return null;
  }
}

/** Not decorated: its helper is inherited by HelperMethodsWorkflow and compiled with it. */
export class ShoutingBase extends Workflow {
  protected async shout(text: string): Promise<string> {
    return await stepUppercase(text);
  }
}

// run("ada")        → "*HELLO ADA*"
// run("ada", "hi")  → "*HI ADA*"
@workflow
export class HelperMethodsWorkflow extends ShoutingBase {
  async run(name: string, greeting?: string) {
    const text = this.greet(name, greeting); // sync helper, default parameter
    const loud = await this.shout(text); // inherited async helper
    return await this.decorate(loud); // async helper, default parameter
  }

  private greet(name: string, prefix = "hello"): string {
    return prefix + " " + name;
  }

  private async decorate(text: string, mark = "*"): Promise<string> {
    return await wrapWith(text, mark);
  }
}

// run({ when: new Date(0), big: 2n ** 70n, map: new Map([["a", 1]]), set: new Set([1, 2]),
//       missing: undefined, nested: { list: [1, undefined, { d: new Date(1) }] } })
//   → { echoed: <the input, deep-equal>, again: <the input, deep-equal> }
@workflow
export class ValueRoundTripWorkflow extends Workflow {
  async run(input: Record<string, unknown>) {
    const echoed = await echoValue(input);
    const again = await echoValue(echoed);
    return { echoed, again };
  }
}

// run(300) → "a+b"; the two `slowValue` calls overlap (total ≈ 300 ms, not 600 ms)
@workflow
export class ConcurrentWorkflow extends Workflow {
  static concurrent = true;

  async run(ms: number) {
    const a = await slowValue("a", ms);
    const b = await slowValue("b", ms);
    return await joinLabels(a, b);
  }
}

// run(300) → "a+b"; the two `slowValue` calls run one after the other (total ≥ 600 ms)
@workflow
export class SequentialTwinWorkflow extends Workflow {
  async run(ms: number) {
    const a = await slowValue("a", ms);
    const b = await slowValue("b", ms);
    return await joinLabels(a, b);
  }
}
