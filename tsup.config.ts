import { defineConfig } from "tsup";

// Four public entry points (graphscale, graphscale/steps, graphscale/kvetch, graphscale/kvetch/testing) plus the CLI.
// graphscale/kvetch is steps/kvetch/index.ts: the store (src/kvetch) and its steps in one entry.
export default defineConfig([
  {
    entry: { index: "src/index.ts", steps: "steps/index.ts", kvetch: "steps/kvetch/index.ts", "kvetch-testing": "src/kvetch/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: true,
    // No keepNames: it wraps functions in name-setting helpers on the hot path. Step names for explain and
    // messages come from each class's static stepName (src/engine/step.ts, stepNameOf).
  },
  {
    // `graphscale` dispatches `schema print` / `typegen` and hands every other command to `cli`.
    entry: { cli: "src/kvetch/cli.ts", graphscale: "steps/kvetch/cli/main.ts" },
    format: ["esm"],
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
