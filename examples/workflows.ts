// The seed documents' workflows, translated to TypeScript (SPEC §2/§3). Each comment gives the
// input and the expected result; examples/README.md lists the same in one line per workflow.
// The `run()` bodies are compiled to IR, never executed as JavaScript.

import { RetryPolicy, sleep, Workflow, workflow } from "waymark";
import {
  buildChainResult,
  buildErrorResult,
  buildGuardFallbackResult,
  buildLoopExceptionResult,
  buildLoopResult,
  buildLoopReturnResult,
  buildWhileResult,
  computeFactorial,
  computeFibonacci,
  evaluateHigh,
  evaluateLow,
  evaluateMedium,
  fetchRecentNotes,
  formatSleepResult,
  getTimestamp,
  incrementCounter,
  matchesNeedle,
  performLoopAction,
  processItem,
  processItemMayFail,
  recoveryAction,
  riskyAction,
  sendEmail,
  stepAddStars,
  stepReverse,
  stepUppercase,
  successAction,
  summarizeMath,
  summarizeNotes,
  type User,
} from "./actions.js";
import { IntentionalError, ItemProcessingError } from "./errors.js";

// run("hello") → { original: "hello", step1: "HELLO", step2: "OLLEH", step3: "**OLLEH**" }
@workflow
export class SequentialChainWorkflow extends Workflow {
  async run(text: string) {
    const step1 = await stepUppercase(text);
    const step2 = await stepReverse(step1);
    const step3 = await stepAddStars(step2);
    return await buildChainResult(text, step1, step2, step3);
  }
}

// run(5)  → { inputNumber: 5, factorial: 120, fibonacci: 5, errors: [] }
// run(-1) → { inputNumber: -1, factorial: null, fibonacci: null,
//             errors: ["factorial of a negative number: -1", "fibonacci of a negative number: -1"] }
@workflow
export class ParallelMathWorkflow extends Workflow {
  async run(number: number) {
    const [factorial, fibonacci] = await Promise.allSettled([
      computeFactorial(number),
      computeFibonacci(number),
    ]);
    return await summarizeMath({ inputNumber: number, factorial, fibonacci });
  }
}

// run([{ email: "a@x.io", active: true }, { email: "b@x.io", active: false },
//      { email: "broken", active: true }]) → { attempted: 2, delivered: 1 }
// run([]) → { attempted: 0, delivered: 0 }   (an empty fan-out dispatches nothing)
@workflow
export class WelcomeEmailWorkflow extends Workflow {
  async run(users: User[]) {
    const activeUsers = users.filter((user) => user.active);
    const results = await Promise.allSettled(
      activeUsers.map((user) => sendEmail(user.email, "Welcome")),
    );
    const delivered = results.filter((r) => r.status === "fulfilled");
    return { attempted: activeUsers.length, delivered: delivered.length };
  }
}

// run(80) → { value: 80, tier: "high" }; run(50) → { value: 50, tier: "medium" };
// run(10) → { value: 10, tier: "low" }
@workflow
export class ConditionalBranchWorkflow extends Workflow {
  async run(value: number) {
    if (value >= 75) {
      return await evaluateHigh(value);
    } else if (value >= 25) {
      return await evaluateMedium(value);
    } else {
      return await evaluateLow(value);
    }
  }
}

// run("ada") → { user: "ada", noteCount: 2, summary: "wrote the first program; met Babbage" }
// run("bob") → { user: "bob", noteCount: 0, summary: "no notes found" }
// (Python's `if notes:` is false for an empty list; in TypeScript `[]` is truthy, so the
//  translation tests the length.)
@workflow
export class GuardFallbackWorkflow extends Workflow {
  async run(user: string) {
    const notes = await fetchRecentNotes(user);
    let summary = "no notes found";
    if (notes.length > 0) {
      summary = await summarizeNotes(notes);
    }
    return await buildGuardFallbackResult(user, notes.length, summary);
  }
}

// run(["a", "b", "c"]) → { count: 3, processed: ["processed:a", "processed:b", "processed:c"] }
@workflow
export class LoopProcessingWorkflow extends Workflow {
  async run(items: string[]) {
    const processed: string[] = [];
    for (const item of items) {
      const result = await processItem(item);
      processed.push(result);
    }
    return await buildLoopResult(items, processed);
  }
}

// run(3) → { target: 3, final: 3, iterations: 3 }; run(0) → { target: 0, final: 0, iterations: 0 }
@workflow
export class WhileLoopWorkflow extends Workflow {
  async run(target: number) {
    let current = 0;
    let iterations = 0;
    while (current < target) {
      current = await incrementCounter(current);
      iterations = iterations + 1;
    }
    return await buildWhileResult({ target, final: current, iterations });
  }
}

// run(false) → { attempted: true, recovered: false, message: "success: ok" }
// run(true)  → { attempted: true, recovered: true,
//                message: "recovered: IntentionalError was caught" }
@workflow
export class ErrorHandlingWorkflow extends Workflow {
  async run(shouldFail: boolean) {
    let recovered = false;
    let message = "";
    try {
      const result = await this.runAction(riskyAction(shouldFail), {
        retry: new RetryPolicy({ attempts: 1 }), // don't retry, let it fail
      });
      message = await successAction(result);
    } catch (err) {
      if (err instanceof IntentionalError) {
        message = await recoveryAction("IntentionalError was caught");
        recovered = true;
      } else {
        throw err;
      }
    }
    return await buildErrorResult(true, recovered, message);
  }
}

// run(["a", "bad-b", "c", "bad-d"]) → { total: 4, processed: ["processed:a", "processed:c"],
//                                      errorCount: 2 }
@workflow
export class LoopExceptionWorkflow extends Workflow {
  async run(items: string[]) {
    const processed: string[] = [];
    let errorCount = 0;
    for (const item of items) {
      try {
        const result = await this.runAction(processItemMayFail(item), {
          retry: new RetryPolicy({ attempts: 1 }),
        });
        processed.push(result);
      } catch (err) {
        if (err instanceof ItemProcessingError) {
          errorCount = errorCount + 1;
        } else {
          throw err;
        }
      }
    }
    return await buildLoopExceptionResult(items, processed, errorCount);
  }
}

// run(1) → { seconds: 1, sleptLongEnough: true }   (takes at least one second)
@workflow
export class DurableSleepWorkflow extends Workflow {
  async run(seconds: number) {
    const started = await getTimestamp();
    await sleep(seconds * 1000); // survives worker restarts
    const resumed = await getTimestamp();
    return await formatSleepResult(started, resumed, seconds);
  }
}

// run(3, 10) → ["iteration 1", "iteration 2", "iteration 3"]   (sleeps 10 ms before each)
@workflow
export class DripWorkflow extends Workflow {
  async run(iterations: number, sleepMs: number) {
    const done: string[] = [];
    for (let i = 0; i < iterations; i++) {
      await sleep(sleepMs);
      done.push(await performLoopAction(i + 1));
    }
    return done;
  }
}

// run([4, 8, 15, 16], 15) → { found: true, value: 15, checked: 3 }
// run([4, 8], 99)         → { found: false, value: null, checked: 2 }
@workflow
export class LoopReturnWorkflow extends Workflow {
  async run(items: number[], needle: number) {
    let checked = 0;
    for (const value of items) {
      checked += 1;
      if (await matchesNeedle({ value, needle })) {
        return await buildLoopReturnResult({ items, needle, found: true, value, checked });
      }
    }
    return await buildLoopReturnResult({ items, needle, found: false, value: null, checked });
  }
}
