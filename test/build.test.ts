// The package build: ESM, CJS and type declarations for graphscale, graphscale/steps and graphscale/kvetch,
// each loadable the way a user would load it. `npm test` (scripts/test.mjs) builds dist/ first when it is
// missing or older than its sources; run this file alone without dist/ and its checks are skipped, and
// counted as skipped, with a message (under CI=true a missing dist/ is a failure).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const built = existsSync(dist + "index.js");

const checks = [
  ...["index", "steps", "kvetch"].map((entry) => `build: ${entry} has ESM, CJS and .d.ts outputs`),
  "build: the ESM entry points load and export the public API",
  "build: every CJS entry point loads, and the steps share one Step class with the engine",
  "build: a plan runs from the built ESM package",
  "build: no keepNames, and explain names every step class from the shipped bundle",
];

if (!built && process.env.CI === "true") {
  test("build: dist/ exists (required under CI=true)", () => {
    assert.unreachable("dist/index.js is missing: `npm test` builds it first; run `npm run build` and look at its errors.");
  });
} else if (!built) {
  console.log(`build: dist/ not found, skipped ${checks.length} build checks (run \`npm run build\`, or \`npm test\`, which builds first).`);
  for (const name of checks) test.skip(name, () => {});
} else {
  for (const entry of ["index", "steps", "kvetch"]) {
    test(`build: ${entry} has ESM, CJS and .d.ts outputs`, () => {
      for (const ext of [".js", ".cjs", ".d.ts", ".d.cts"]) assert.ok(existsSync(dist + entry + ext), `missing dist/${entry}${ext}`);
    });
  }

  test("build: the ESM entry points load and export the public API", async () => {
    const engine = await import(dist + "index.js");
    const steps = await import(dist + "steps.js");
    const kvetch = await import(dist + "kvetch.js");
    for (const name of ["makeSchema", "execute", "graphql", "subscribe", "Step", "fail"]) assert.type(engine[name], "function", name);
    for (const name of ["constant", "each", "loadOne", "loadMany", "lambda", "inhibitOnNull"]) assert.type(steps[name], "function", name);
    for (const name of ["Kvetch", "defineSchema", "memoryBackend", "loadObject", "loadEdges"]) assert.type(kvetch[name], "function", name);
  });

  test("build: every CJS entry point loads, and the steps share one Step class with the engine", () => {
    const require = createRequire(import.meta.url);
    const engine = require(dist + "index.cjs");
    const steps = require(dist + "steps.cjs");
    const kvetch = require(dist + "kvetch.cjs");
    const testing = require(dist + "kvetch-testing.cjs");
    assert.type(engine.execute, "function");
    assert.type(kvetch.Kvetch, "function");
    assert.type(kvetch.loadEdges, "function");
    assert.type(testing.contractSchema, "object");
    assert.type(steps.constant, "function");
    assert.ok(Object.getPrototypeOf(steps.ConstantStep.prototype).constructor === engine.Step, "steps extend the engine's Step");
  });

  test("build: a plan runs from the built ESM package", async () => {
    const { makeSchema, execute } = await import(dist + "index.js");
    const { constant } = await import(dist + "steps.js");
    const { parse } = await import("graphql");
    const schema = makeSchema({ typeDefs: `type Query { answer: Int }`, plans: { Query: { answer: () => constant(42) } } });
    assert.equal(JSON.parse(JSON.stringify(execute({ schema, document: parse(`{ answer }`) }))), { data: { answer: 42 } });
  });

  test("build: no keepNames, and explain names every step class from the shipped bundle", async () => {
    const config = readFileSync(fileURLToPath(new URL("../tsup.config.ts", import.meta.url)), "utf8");
    assert.not.match(config, /keepNames:\s*true/, "keepNames wraps functions in name helpers on the hot path");
    for (const file of ["index.js", "steps.js", "kvetch.js"]) assert.not.match(readFileSync(dist + file, "utf8"), /__name\(/, `${file} has name helpers`);
    const engine = await import(dist + "index.js");
    const kvetch = await import(dist + "kvetch.js");
    const { parse } = await import("graphql");
    const schema = engine.makeSchema({
      typeDefs: `type Query { user(id: ID!): User } type User { name: String lists: [List!]! } type List { name: String }`,
      plans: {
        Query: { user: (_r: unknown, args: { get(n: string): unknown }) => kvetch.loadObject("User", args.get("id")) },
        User: {
          name: ($u: { get(n: string): unknown }) => $u.get("name"),
          lists: ($u: { get(n: string): unknown }) => engine.each(kvetch.loadEdges("user_to_list", $u.get("id"), { first: 3 }), ($e: { get(n: string): unknown }) => kvetch.loadObject("List", $e.get("toId"))),
        },
        List: { name: ($l: { get(n: string): unknown }) => $l.get("name") },
      },
    });
    const classes = engine.explainPlan(schema, parse(`{ user(id: "x") { name lists { name } } }`)).json.steps.map((s: { class: string }) => s.class);
    for (const name of ["Constant", "Access", "Context", "LoadObject", "LoadEdges", "LoadNodes", "Item"]) {
      assert.ok(classes.includes(name), `explain shows ${name}: ${classes.join(", ")}`);
    }
    for (const name of classes) assert.match(name, /^[A-Z][A-Za-z]+$/, `a plain class name: ${name}`);
  });
}

test.run();
