import { defineConfig } from "tsup";

// Three public entry points (graphscale, graphscale/steps, graphscale/kvetch) plus the CLI.
export default defineConfig([
  {
    entry: { index: "src/index.ts", steps: "steps/index.ts", kvetch: "steps/kvetch/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: true,
    // Step names show in errors and explain: keep class names as written.
    keepNames: true,
  },
  {
    // `graphscale` dispatches `schema print` / `typegen` and hands every other command to `cli`.
    entry: { cli: "src/kvetch/cli.ts", graphscale: "steps/kvetch/cli/main.ts" },
    format: ["esm"],
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
