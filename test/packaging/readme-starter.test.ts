// The README's starter: the code block after "## Start here" is examples/starter/server.mjs (shipped in the
// package) word for word, and that file, run by plain node on the built package (it imports "graphscale" by
// name), serves the query it prints over HTTP through GraphQL Yoga. Needs dist/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runStarter } from "./starter.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const starterPath = join(root, "examples/starter/server.mjs");

/** The ```js block that follows the starter marker in README.md. */
function readmeStarter(): string | null {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const match = /<!-- starter: examples\/starter\/server\.mjs[^>]*-->\n```js\n([\s\S]*?)```\n/.exec(readme);
  return match ? match[1]! : null;
}

if (!existsSync(join(root, "dist/index.js")) && process.env.CI !== "true") {
  console.log("SKIPPED test/packaging/readme-starter.test.ts: dist/ is missing; run `npm run build` (or `npm test`, which builds first)");
} else {
  test("README: the starter block is examples/starter/server.mjs, under 35 lines, right after Install", () => {
    const block = readmeStarter();
    assert.ok(block !== null, "README.md has no starter block after <!-- starter: examples/starter/server.mjs -->");
    assert.is(block, readFileSync(starterPath, "utf8"));
    assert.ok(block.split("\n").length <= 35, `${block.split("\n").length} lines`);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    assert.ok(readme.indexOf("## Install") < readme.indexOf("## Start here") && readme.indexOf("## Start here") < readme.indexOf("## Quick start"), "Install, then the starter, first");
  });

  test("README starter: runs on the built package and answers its query over HTTP (Kvetch memory store, plans, Yoga)", async () => {
    await runStarter(starterPath, root);
  });

  test.run();
}
