// `npm run bench [-- options]`: builds the bench the way the package ships (tsup → esbuild, no keepNames;
// tsx's keepNames would add a defineProperty per closure created at run time and skew the engine's numbers)
// and runs it in a fresh Node process. `--source` runs bench/main.ts through tsx instead. Never edits src.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);

if (args.includes("--source")) {
  process.env.GRAPHSCALE_BENCH_DIR = benchDir;
  process.env.GRAPHSCALE_BENCH_BUILD = "source";
  await import("./main.js");
} else {
  const { build } = await import("tsup");
  // Under node_modules/ so the bundle resolves graphql, dataloader and benchmark from the project's node_modules.
  const outDir = join(benchDir, "..", "node_modules", ".cache", "graphscale-bench");
  await build({
    entry: { main: join(benchDir, "main.ts") },
    format: ["esm"],
    outDir,
    outExtension: () => ({ js: ".mjs" }),
    target: "node20",
    platform: "node",
    sourcemap: true,
    splitting: false,
    skipNodeModulesBundle: true,
    config: false,
    dts: false,
    silent: true,
  });
  const child = spawn(process.execPath, ["--enable-source-maps", join(outDir, "main.mjs"), ...args], {
    stdio: "inherit",
    env: { ...process.env, GRAPHSCALE_BENCH_DIR: benchDir, GRAPHSCALE_BENCH_BUILD: "bundle" },
  });
  process.exitCode = await new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
