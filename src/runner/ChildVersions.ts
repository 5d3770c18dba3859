// Which version a child workflow starts as: the version of the class registered in this
// process under the child's name (compiled and registered on first use, like a client start),
// else the newest version any client registered. Resolved once per name per process.
import { workflowRegistry } from "../client/registry.js";
import type { Program } from "../ir/types.js";
import type { Store } from "../store/Store.js";

interface WorkflowClass {
  workflowIr(): Program;
  workflowVersion(): string;
}

export class ChildVersions {
  private readonly known = new Map<string, Promise<string | undefined>>();

  constructor(private readonly store: Store) {}

  /** The version id for workflow `name`, or undefined when no version of it is known. */
  resolve(name: string): Promise<string | undefined> {
    let p = this.known.get(name);
    if (!p) {
      p = this.lookup(name).then(
        (id) => {
          if (id === undefined) this.known.delete(name); // registered later: look again
          return id;
        },
        (e: Error) => {
          this.known.delete(name); // transient (database) errors are retried
          throw e;
        },
      );
      this.known.set(name, p);
    }
    return p;
  }

  private async lookup(name: string): Promise<string | undefined> {
    const cls = workflowRegistry.get(name) as unknown as WorkflowClass | undefined;
    if (cls && typeof cls.workflowIr === "function")
      return this.store.registerVersion(name, cls.workflowVersion(), cls.workflowIr());
    return this.store.latestVersionId(name);
  }
}
