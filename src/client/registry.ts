/** Any class (workflow classes in practice). */
export type ClassRef = abstract new (...args: never[]) => unknown;

/** Workflow classes registered in this process, by registry key (`shortName()`). */
const classes = new Map<string, ClassRef>();

export const workflowRegistry = {
  /** Registers `cls` under `name`. A different class under the same name is an error naming
   *  both classes; re-registering the same class is a no-op. */
  register(name: string, cls: ClassRef): void {
    const existing = classes.get(name);
    if (existing && existing !== cls) {
      throw new Error(
        `workflow name "${name}" is already registered by class ${existing.name}; class ${cls.name} cannot use it too (give one of them @workflow({ name: "..." }))`,
      );
    }
    classes.set(name, cls);
  },
  get(name: string): ClassRef | undefined {
    return classes.get(name);
  },
  names(): string[] {
    return [...classes.keys()].sort();
  },
  reset(): void {
    classes.clear();
  },
};
