// Incremental delivery is not loaded for operations without @defer/@stream (spec/incremental.md,
// LoadDelivery): in the built ESM bundle, the modules `graphscale` loads statically (dist/index.js and every
// chunk it imports, followed transitively) hold only experimentalExecuteIncrementally's entry; the delivery
// (the work queue, DiscoverWork, RunWave) sits in a chunk reached only by a dynamic import(). Without dist/
// the checks are skipped with a message, as in test/build.test.ts (under CI=true a missing dist/ fails).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const built = existsSync(dist + "index.js");

/** Definitions only the delivery modules hold (the bundle keeps names: whitespace and syntax minification only). */
const DELIVERY_MARKERS = ["IncrementalQueue=class", "function runTasks(", "function discoverWork(", "function deliverIncrementally("];

/** The relative modules a bundle file imports statically (`import … from"./x.js"`, `import"./x.js"`) and dynamically. */
function importsOf(source: string): { statics: string[]; dynamics: string[] } {
  const statics = [...source.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g)].map((m) => m[1]!);
  const dynamics = [...source.matchAll(/\bimport\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return { statics, dynamics };
}

/** Every file of dist/ loaded statically from `entry`, and the dynamic imports met on the way. */
function staticGraph(entry: string): { files: Set<string>; dynamics: Set<string> } {
  const files = new Set<string>();
  const dynamics = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const found = importsOf(readFileSync(dist + file, "utf8"));
    for (const d of found.dynamics) dynamics.add(d.slice(2));
    for (const s of found.statics) visit(s.slice(2));
  };
  visit(entry);
  return { files, dynamics };
}

if (!built && process.env.CI === "true") {
  test("lazy load: dist/ exists (required under CI=true)", () => {
    assert.unreachable("dist/index.js is missing: `npm test` builds it first; run `npm run build` and look at its errors.");
  });
} else if (!built) {
  console.log("SKIPPED test/incremental/lazyLoad.test.ts: dist/ not found (run `npm run build`, or `npm test`, which builds first)");
} else {
  test("lazy load: the static module graph of graphscale holds no incremental delivery code", () => {
    const { files } = staticGraph("index.js");
    assert.ok(files.size > 1, "dist/index.js imports its chunks");
    for (const file of files) {
      const source = readFileSync(dist + file, "utf8");
      for (const marker of DELIVERY_MARKERS) assert.not.ok(source.includes(marker), `${file} is loaded statically and holds ${marker}`);
    }
    // The entry itself is loaded statically: the check above looks at the right bundle.
    assert.ok([...files].some((file) => readFileSync(dist + file, "utf8").includes("function experimentalExecuteIncrementally(")), "the entry is in the static graph");
  });

  test("lazy load: the delivery code is in a chunk reached only by a dynamic import()", () => {
    const { files, dynamics } = staticGraph("index.js");
    const lazy = [...dynamics].filter((file) => !files.has(file) && DELIVERY_MARKERS.every((marker) => readFileSync(dist + file, "utf8").includes(marker)));
    assert.is(lazy.length, 1, `one dynamically imported chunk holds the delivery (dynamic imports: ${[...dynamics].join(", ")})`);
  });
}

test.run();
