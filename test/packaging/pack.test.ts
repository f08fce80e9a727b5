// The tarball's budget, from `npm pack --dry-run --json` of the built dist/ (scripts ignored: the test runner
// built dist/ already): at most 2.3 MB unpacked (1.5 MB before the store gained its topology, bucket moves,
// cache identity and admission: 1.60 MB with them; 1.82 MB with the MySQL fence, unique indexes, delete rules,
// the schema lock, tracing and the envelop plugin; 1.90 MB with the graphql 17 adapter, the fast request path,
// compiled resolver calls, live retention and reads beside per-entry loads; 2.00 MB with incremental delivery
// (@defer/@stream, its delivery in a chunk of its own), the per-plan compiled fast run and resolver groups; 2.10 MB with tracing's span detail levels, the fast run's
// per-step functions and live retention's kept texts, while lru-cache, 3.6 MB installed,
// left the dependencies; 2.22 MB with the direct run of resolver queries), no source maps, no sources, a bin that imports the library's
// chunks instead of repeating them, and at most 2 runtime dependencies (graphql, mysql2 and ioredis are peers,
// the last two optional). Growth past a budget fails here, with the figures printed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const UNPACKED_BUDGET = 2_300_000;
const DEPENDENCY_BUDGET = 2;
/** The bin's own code (argument parsing, typegen, schema print); the library comes from the shared chunks. */
const BIN_BUDGET = 60_000;

interface Packed {
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

if (!existsSync(join(root, "dist/index.js")) && process.env.CI !== "true") {
  console.log("SKIPPED test/packaging/pack.test.ts: dist/ is missing; run `npm run build` (or `npm test`, which builds first)");
} else {
  const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  const pack = (JSON.parse(packed.stdout || "[{}]") as Packed[])[0]!;
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  console.log(`package: ${pack.files?.length} files, ${pack.unpackedSize} bytes unpacked, ${pack.size} bytes packed; ${Object.keys(pkg.dependencies ?? {}).length} dependencies`);

  test(`pack: at most ${UNPACKED_BUDGET / 1e6} MB unpacked, with no source maps and no sources`, () => {
    assert.is(packed.status, 0, packed.stderr);
    assert.ok(pack.unpackedSize <= UNPACKED_BUDGET, `unpacked ${pack.unpackedSize} bytes, over the budget of ${UNPACKED_BUDGET}`);
    const paths = pack.files.map((f) => f.path);
    assert.equal(paths.filter((p) => p.endsWith(".map")), [], "source maps are left out of the tarball");
    assert.equal(paths.filter((p) => !/^(dist\/|README\.md$|package\.json$|LICENSE|examples\/)/.test(p)), [], "only dist/, the examples, README and package.json");
    for (const entry of ["index", "steps", "kvetch", "kvetch-testing"]) {
      for (const ext of [".js", ".cjs", ".d.ts", ".d.cts"]) assert.ok(paths.includes(`dist/${entry}${ext}`), `dist/${entry}${ext} is shipped`);
    }
  });

  test(`pack: the bin imports the library's chunks (at most ${BIN_BUDGET / 1000} kB of its own), one bin file`, () => {
    const bin = pack.files.find((f) => f.path === "dist/graphscale.js");
    assert.ok(bin, "dist/graphscale.js is shipped");
    assert.ok(bin.size <= BIN_BUDGET, `dist/graphscale.js is ${bin.size} bytes: it repeats library code instead of importing the chunks`);
    assert.match(readFileSync(join(root, "dist/graphscale.js"), "utf8"), /from"\.\/chunk-[A-Z0-9]+\.js"|from "\.\/chunk-[A-Z0-9]+\.js"/);
    assert.not.ok(pack.files.some((f) => f.path === "dist/cli.js"), "no second CLI bundle");
    assert.equal(pkg.bin, { graphscale: "./dist/graphscale.js" });
  });

  test("pack: no shipped file imports mysql2 or ioredis at load time (only optionalPeer's require on first use)", () => {
    for (const file of pack.files.filter((f) => /^dist\/.*\.c?js$/.test(f.path))) {
      const text = readFileSync(join(root, file.path), "utf8");
      assert.not.match(text, /(from ?|import\(|require\()"(mysql2|ioredis)[/"]/, `${file.path} loads a driver on import`);
    }
  });

  test(`pack: at most ${DEPENDENCY_BUDGET} runtime dependencies; graphql a peer, mysql2 and ioredis optional peers`, () => {
    const dependencies = Object.keys(pkg.dependencies ?? {});
    assert.ok(dependencies.length <= DEPENDENCY_BUDGET, `dependencies: ${dependencies.join(", ")}`);
    for (const driver of ["mysql2", "ioredis"]) {
      assert.not.ok(dependencies.includes(driver), `${driver} is not a dependency`);
      assert.ok(pkg.peerDependencies?.[driver], `${driver} is a peer dependency`);
      assert.equal(pkg.peerDependenciesMeta?.[driver], { optional: true });
      assert.ok(pkg.devDependencies?.[driver], `${driver} is a dev dependency (the tests use it)`);
    }
    assert.ok(pkg.peerDependencies?.graphql && !pkg.peerDependenciesMeta?.graphql?.optional, "graphql is a required peer");
    assert.is(pkg.scripts?.prepare, "tsup", "prepare builds dist/ so git installs have code");
  });

  test.run();
}
