export {
  action,
  actionRegistry,
  UnsupportedPatternError,
  Workflow,
  workflow,
  workflowRegistry,
} from "waymark";
export { hashProgram as hashProgramForTest } from "../../src/ir/index.js";
