// The package as a user installs it: `npm pack`, then a fresh app with graphql@16.8.1 and the tarball. graphql
// is a peer dependency, so the app has one graphql instance: graphql-js's own `validate` accepts a schema
// graphscale built, and a query through graphscale/kvetch (annotated SDL, memory store) runs.
// Needs the npm registry; without it the file is skipped with a message (a failure under CI=true).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = (args: string[], cwd: string, timeout = 240_000) => spawnSync("npm", args, { cwd, encoding: "utf8", timeout, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });

const APP = /* JavaScript */ `
import { parse, validate, version } from "graphql";
import { graphql } from "graphscale";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";

const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: \`
  type Query { author(id: ID!): Author @readObject }
  type Mutation { createAuthor: Author @createObject }
  type Author @object(typeId: 1) { id: ID! name: String! }
\` });
const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 2 }) });
await kvetch.migrate();
const created = await graphql({ schema, source: 'mutation { createAuthor(input: { name: "Ada" }) { id } }', contextValue: { kvetch } });
const query = "query ($id: ID!) { author(id: $id) { name } }";
const errors = validate(schema, parse(query)); // graphql-js's own validate: throws across two graphql instances
const result = await graphql({ schema, source: query, variableValues: { id: created.data.createAuthor.id }, contextValue: { kvetch } });
console.log(JSON.stringify({ version, validateErrors: errors.length, result }));
`;

const registry = npm(["view", "graphql@16.8.1", "version"], root, 30_000);
const online = registry.status === 0 && registry.stdout.trim() === "16.8.1";

if (!online && process.env.CI !== "true") {
  console.log(`SKIPPED packaging: the npm registry is not reachable (npm view graphql@16.8.1: ${(registry.stderr || registry.error?.message || "").trim().split("\n")[0]})`);
} else {
  test("packed graphscale next to graphql@16.8.1: one graphql instance, validate accepts the schema, a query runs", () => {
    assert.ok(online, `the npm registry is not reachable: ${registry.stderr}`);
    const dir = mkdtempSync(join(tmpdir(), "graphscale-pack-"));
    try {
      const packed = npm(["pack", "--pack-destination", dir], root, 120_000);
      assert.is(packed.status, 0, packed.stderr);
      const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
      const app = join(dir, "app");
      spawnSync("mkdir", [app]);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: { graphql: "16.8.1", graphscale: `file:../${tarball}` } }));
      writeFileSync(join(app, "main.js"), APP);
      const installed = npm(["install", "--no-package-lock"], app);
      assert.is(installed.status, 0, installed.stderr);
      // Everything shipped resolves inside the package: nothing imports the repository's sources (src/, steps/).
      const shipped = spawnSync("grep", ["-rlE", `from "(\\.\\./)+(src|steps)/`, "node_modules/graphscale"], { cwd: app, encoding: "utf8" }).stdout.trim();
      assert.is(shipped, "", `shipped files import the repository's sources:\n${shipped}`);
      const copies = spawnSync("find", ["node_modules", "-path", "*/graphql/package.json"], { cwd: app, encoding: "utf8" }).stdout.trim().split("\n");
      assert.equal(copies, ["node_modules/graphql/package.json"]);
      const ran = spawnSync(process.execPath, ["main.js"], { cwd: app, encoding: "utf8" });
      assert.is(ran.status, 0, ran.stderr);
      const out = JSON.parse(ran.stdout);
      assert.equal(out, { version: "16.8.1", validateErrors: 0, result: { data: { author: { name: "Ada" } } } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test.run();
}
