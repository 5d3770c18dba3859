// jest for test/testing/runners.test.ts (see jestTransform.mjs).
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export default {
  rootDir: here("../../.."),
  testMatch: ["<rootDir>/test/testing/runners/peer.spec.mjs"],
  transform: { "\\.ts$": here("./jestTransform.mjs") },
  extensionsToTreatAsEsm: [".ts"],
  moduleFileExtensions: ["ts", "js", "mjs", "json"],
  moduleNameMapper: {
    "^waymark/testing$": "<rootDir>/src/testing/index.ts",
    "^waymark$": "<rootDir>/src/index.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  injectGlobals: true,
};
