// The package as a user installs it. A fresh clone (the working tree's files, no dist/) is packed: `prepare`
// builds dist/ there. A new app with only graphql@16.8.1 and that tarball then runs the engine and the memory
// store from ESM and CJS with mysql2 and ioredis absent (asking for them names the package to install), has one
// graphql instance, and runs the bin. With GRAPHSCALE_GIT_INSTALL=1 a second app installs the clone with
// `npm i git+file://` (npm installs the clone's dev dependencies to run prepare: minutes, so opt-in).
// Installs prefer the npm cache; when the packages can be had from neither, the file skips with a message
// (a failure under CI=true).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", npm_config_prefer_offline: "true" };
const npm = (args: string[], cwd: string, timeout = 300_000) => spawnSync("npm", args, { cwd, encoding: "utf8", timeout, env });
const node = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 60_000 });

const ESM_APP = /* JavaScript */ `
import { parse, validate, version } from "graphql";
import { graphql } from "graphscale";
import { Kvetch, makeKvetchSchema, memoryBackend, mysqlBackend } from "graphscale/kvetch";

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
const missing = (make) => { try { make(); return "no error"; } catch (error) { return error.message; } };
const mysql = missing(() => new Kvetch({ schema: kvetchSchema, backend: mysqlBackend({ shards: ["mysql://root@127.0.0.1:3306/gs_0"] }) }));
const redis = missing(() => new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ redis: { url: "redis://127.0.0.1:6379" } }) }));
console.log(JSON.stringify({ version, validateErrors: errors.length, result, mysql, redis }));
`;

const CJS_APP = /* JavaScript */ `
const { makeSchema, execute } = require("graphscale");
const { constant } = require("graphscale/steps");
const { Kvetch, defineSchema, memoryBackend } = require("graphscale/kvetch");
const { parse } = require("graphql");
(async () => {
  const schema = makeSchema({ typeDefs: "type Query { answer: Int }", plans: { Query: { answer: () => constant(42) } } });
  const kvetch = new Kvetch({ schema: defineSchema({ objects: [{ name: "Note", typeId: 1 }] }), backend: memoryBackend({ shards: 2 }) });
  const note = await kvetch.createObject("Note", { text: "hi" });
  const read = await kvetch.getObject(note.id);
  console.log(JSON.stringify({ result: await execute({ schema, document: parse("{ answer }") }), text: read.data.text }));
})();
`;

/** A fresh clone: the working tree's files (tracked and new, never ignored ones), committed, without dist/. */
function freshClone(into: string): void {
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(root, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(root, file), join(into, file));
  }
  const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], { cwd: into, encoding: "utf8" });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "clone");
}

const work = mkdtempSync(join(tmpdir(), "graphscale-install-"));
const clone = join(work, "clone");
const app = join(work, "app");
mkdirSync(clone);
mkdirSync(app);
freshClone(clone);
assert.not.ok(existsSync(join(clone, "dist")), "the clone has no dist/");
// The clone's dev dependencies (tsup for prepare) are this checkout's install: a clone after `npm ci`.
symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
// prepare runs the whole build (ESM, CJS, declarations): minutes on a loaded machine.
const packed = npm(["pack", "--pack-destination", work], clone, 900_000);
const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: { graphql: "16.8.1", graphscale: `file:../${tarball}` } }));
const installed = tarball === undefined ? null : npm(["install", "--no-package-lock"], app);
const unreachable = installed !== null && installed.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED/.test(installed.stderr);

if (unreachable && process.env.CI !== "true") {
  console.log(`SKIPPED packaging install: graphql@16.8.1 is neither in the npm cache nor reachable (${installed!.stderr.trim().split("\n")[0]})`);
  rmSync(work, { recursive: true, force: true });
} else {
  test("fresh clone: npm pack runs prepare, which builds dist/ into the tarball", () => {
    assert.is(packed.status, 0, packed.stderr);
    assert.ok(tarball, "npm pack wrote a tarball");
    const listing = spawnSync("tar", ["-tzf", join(work, tarball!)], { encoding: "utf8" }).stdout;
    for (const file of ["package/dist/index.js", "package/dist/index.cjs", "package/dist/kvetch.js", "package/dist/graphscale.js"]) assert.match(listing, file);
    assert.not.match(listing, /\.map\n/);
  });

  test("new app with graphscale + graphql only: 3 packages, no mysql2 or ioredis, one graphql", () => {
    assert.is(installed?.status, 0, installed?.stderr);
    const packages = readdirSync(join(app, "node_modules")).filter((name) => !name.startsWith("."));
    assert.equal(packages.sort(), ["fast-json-stable-stringify", "graphql", "graphscale"]);
    // Everything shipped resolves inside the package: nothing imports the repository's sources (src/, steps/).
    const shipped = spawnSync("grep", ["-rlE", `from ?"(\\.\\./)+(src|steps)/`, "node_modules/graphscale"], { cwd: app, encoding: "utf8" }).stdout.trim();
    assert.is(shipped, "", `shipped files import the repository's sources:\n${shipped}`);
  });

  test("new app (ESM): the engine and the memory store run; mysqlBackend and a Redis cache name the package to install", () => {
    writeFileSync(join(app, "main.js"), ESM_APP);
    const ran = node(["main.js"], app);
    assert.is(ran.status, 0, ran.stderr);
    const out = JSON.parse(ran.stdout);
    assert.equal({ version: out.version, validateErrors: out.validateErrors, result: out.result }, { version: "16.8.1", validateErrors: 0, result: { data: { author: { name: "Ada" } } } });
    assert.match(out.mysql, "needs the package mysql2, which is not installed: run `npm install mysql2`");
    assert.match(out.redis, "needs the package ioredis, which is not installed: run `npm install ioredis`");
  });

  test("new app (CJS): require() of graphscale, graphscale/steps and graphscale/kvetch runs a plan and the memory store", () => {
    writeFileSync(join(app, "main.cjs"), CJS_APP);
    const ran = node(["main.cjs"], app);
    assert.is(ran.status, 0, ran.stderr);
    assert.equal(JSON.parse(ran.stdout), { result: { data: { answer: 42 } }, text: "hi" });
  });

  test("new app: the installed bin prints its version, reads a .graphql schema, and says to install tsx for a .ts one it cannot load", () => {
    const bin = join(app, "node_modules/.bin/graphscale");
    const version = spawnSync(bin, ["--version"], { cwd: app, encoding: "utf8" });
    assert.is(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    writeFileSync(join(app, "schema.graphql"), "type Query { author(id: ID!): Author @readObject }\ntype Author @object(typeId: 1) { id: ID! name: String! }\n");
    const print = spawnSync(bin, ["schema", "print", "schema.graphql"], { cwd: app, encoding: "utf8" });
    assert.is(print.status, 0, print.stderr);
    assert.match(print.stdout, "# object Author (typeId 1)");
    writeFileSync(join(app, "schema.ts"), "export const schema: unknown = null;\n");
    const ts = spawnSync(bin, ["typegen", "schema.ts"], { cwd: app, encoding: "utf8" });
    assert.is(ts.status, 1);
    // The bin runs on this run's node: one with type stripping (Node 24) loads the module itself, with no tsx.
    const stripping = Boolean((process.features as { typescript?: unknown }).typescript);
    if (stripping) assert.not.match(ts.stderr, "tsx", ts.stderr);
    else assert.is(ts.stderr, "graphscale: cannot load schema.ts: it is TypeScript, which graphscale loads through your project's tsx, and tsx is not installed: run `npm i -D tsx` in your project, or pass the compiled .js file\n");
    // An enum is beyond type stripping: without tsx, either node says to install it.
    writeFileSync(join(app, "kinds.ts"), "export enum Kind { A = 'a' }\nexport const schema: unknown = null;\n");
    const kinds = spawnSync(bin, ["typegen", "kinds.ts"], { cwd: app, encoding: "utf8" });
    assert.is(kinds.status, 1);
    assert.match(kinds.stderr, "and tsx is not installed: run `npm i -D tsx` in your project");
    if (stripping) assert.match(kinds.stderr, "TypeScript that Node's type stripping cannot load (");
  });

  if (process.env.GRAPHSCALE_GIT_INSTALL === "1") {
    test("git install: npm i git+file://<clone> builds dist/ through prepare and the app runs", () => {
      const gitApp = join(work, "git-app");
      mkdirSync(gitApp);
      writeFileSync(join(gitApp, "package.json"), JSON.stringify({ name: "git-app", private: true, type: "module" }));
      const done = npm(["install", "--no-package-lock", "graphql@16.8.1", `git+file://${clone}`], gitApp, 1_200_000);
      assert.is(done.status, 0, done.stderr);
      writeFileSync(join(gitApp, "main.js"), ESM_APP);
      const ran = node(["main.js"], gitApp);
      assert.is(ran.status, 0, ran.stderr);
      assert.equal(JSON.parse(ran.stdout).result, { data: { author: { name: "Ada" } } });
    });
  } else {
    console.log("install.test.ts: the git+file:// install runs with GRAPHSCALE_GIT_INSTALL=1 (it installs the clone's dev dependencies: minutes)");
  }

  test.after(() => rmSync(work, { recursive: true, force: true }));
  test.run();
}
