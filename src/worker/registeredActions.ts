// The actions registered in this process (by importing the user's modules), as the lookup that
// worker processes and a runner's inline executor run them from.
import { actionRegistry } from "../client/action.js";
import type { ActionFn } from "./executeAction.js";
import type { InlineActions } from "./InlineExecutor.js";

export const registeredActions: InlineActions = {
  names: () => actionRegistry.names(),
  get: (name) => {
    const def = actionRegistry.get(name);
    return def ? { fn: def.fn as ActionFn } : undefined;
  },
  inline: (name) => actionRegistry.get(name)?.options.inline !== false,
};
