// vitest for test/testing/runners.test.ts: the package by its source, as the waymark-dev condition
// resolves it for node (vite does not resolve a package's reference to itself).
import { fileURLToPath } from "node:url";

const src = (p) => fileURLToPath(new URL(`../../../src/${p}`, import.meta.url));
export default {
  resolve: {
    alias: [
      { find: /^waymark\/testing$/, replacement: src("testing/index.ts") },
      { find: /^waymark$/, replacement: src("index.ts") },
    ],
  },
  test: { globals: true, include: ["test/testing/runners/peer.spec.mjs"] },
};
