// jest for test/testing/runners.test.ts: TypeScript (standard decorators included) through
// esbuild, kept as ES modules (jest runs them with --experimental-vm-modules), with a source
// map so stack traces — which @workflow and action() read — name the source lines.
import { transformSync } from "esbuild";

export default {
  process(source, file) {
    if (!/\.[cm]?ts$/.test(file)) return { code: source };
    const r = transformSync(source, {
      loader: "ts",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      sourcefile: file,
    });
    return { code: r.code };
  },
};
