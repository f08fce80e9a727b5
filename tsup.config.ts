import { defineConfig, type Options } from "tsup";

// Five public entry points (graphscale, graphscale/steps, graphscale/kvetch, graphscale/kvetch/testing,
// graphscale/envelop) plus the `graphscale` bin. graphscale/kvetch is steps/kvetch/index.ts: the store (src/kvetch) and its steps in one entry.
// The bin is built with the ESM entries (splitting), so it imports the library's chunks instead of repeating them.
// Source maps stay in dist/ for local debugging; package.json's "files" keeps them out of the tarball
// (test/packaging/pack.test.ts holds the package to its size budget).
const library = { index: "src/index.ts", steps: "steps/index.ts", kvetch: "steps/kvetch/index.ts", "kvetch-testing": "src/kvetch/testing/index.ts", envelop: "src/envelop/index.ts" };

const shared: Options = {
  dts: { entry: library },
  sourcemap: true,
  target: "node20",
  splitting: true,
  // No keepNames: it wraps functions in name-setting helpers on the hot path. Step names for explain and
  // messages come from each class's static stepName (src/engine/step.ts, stepNameOf).
};

export default defineConfig([
  {
    ...shared,
    entry: { ...library, graphscale: "steps/kvetch/cli/main.ts" },
    format: ["esm"],
    clean: true,
    // Whitespace and syntax only: every function and class keeps its name (stack traces, error messages).
    esbuildOptions(options) {
      options.minifyWhitespace = true;
      options.minifySyntax = true;
    },
  },
  {
    ...shared,
    entry: library,
    format: ["cjs"],
    // Whitespace only: tsup's CJS pass adds class-field initializers after `super()`, which breaks on the
    // comma expressions syntax minification makes of constructors (test/build.test.ts requires every entry).
    esbuildOptions(options) {
      options.minifyWhitespace = true;
    },
    // import.meta.url in CJS through shims: src/kvetch/optionalPeer.ts resolves mysql2 and ioredis from the package.
    shims: true,
  },
]);
