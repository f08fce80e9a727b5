// Every `graphscale` command of the built bin (node dist/graphscale.js) with a schema given as annotated SDL
// (.graphql), a JS module and a TypeScript module (through the project's tsx): schema print, typegen, kvetch
// migrate|stats|repair and deps invalidate. Also --version, --help and one-line usage errors. Needs dist/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "dist/graphscale.js");
const dir = mkdtempSync(join(tmpdir(), "graphscale-cli-dist-"));
const kvetchEntry = pathToFileURL(join(root, "dist/kvetch.js")).href;
const sdlFile = join(root, "examples/todo/todo.graphql");

function run(args: string[], env: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("GRAPHSCALE_")) clean[name] = value;
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...clean, ...env }, timeout: 30_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The todo schema three ways: the SDL itself, a JS module and a TypeScript module built from it. */
const schemas: Record<string, string> = { graphql: sdlFile, js: join(dir, "todo-schema.mjs"), ts: join(dir, "todo-schema.ts") };
const moduleText = (typed: boolean) => `import { readFileSync } from "node:fs";
import { makeKvetchSchema } from ${JSON.stringify(kvetchEntry)};
const typeDefs${typed ? ": string" : ""} = readFileSync(${JSON.stringify(sdlFile)}, "utf8");
export const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs });
`;

/** A memory store (optionally behind the shared Redis) seeded with a user and two lists, for repair to scan. */
function configModule(redisPrefix: string | null): string {
  const redis = redisPrefix === null ? "" : `, redis: { url: "redis://127.0.0.1:6379", keyPrefix: ${JSON.stringify(redisPrefix)} }`;
  return `import { readFileSync } from "node:fs";
import { Kvetch, makeKvetchSchema, memoryBackend } from ${JSON.stringify(kvetchEntry)};
const { kvetchSchema } = makeKvetchSchema({ typeDefs: readFileSync(${JSON.stringify(sdlFile)}, "utf8") });
export const backend = memoryBackend({ shards: 2${redis} });
const kvetch = new Kvetch({ schema: kvetchSchema, backend });
const user = await kvetch.createObject("User", { name: "Ada", username: "ada" });
await kvetch.createObjects([{ type: "TodoList", data: { userId: user.id, name: "a" } }, { type: "TodoList", data: { userId: user.id, name: "b" } }]);
await kvetch.close(); // its Redis connection would keep the command's process alive
`;
}

const built = existsSync(bin);
if (!built && process.env.CI !== "true") {
  console.log("SKIPPED test/packaging/cli-dist.test.ts: dist/graphscale.js is missing; run `npm run build` (or `npm test`, which builds first)");
} else {
  writeFileSync(schemas.js!, moduleText(false));
  writeFileSync(schemas.ts!, moduleText(true));
  writeFileSync(join(dir, "memory.config.mjs"), configModule(null));

  test("dist bin: --version prints package.json's version; --help lists every command", () => {
    assert.ok(built, "dist/graphscale.js is missing: run `npm run build`");
    const version = run(["--version"]);
    assert.is(version.code, 0);
    assert.is(version.out, `${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}\n`);
    const help = run(["--help"]);
    assert.is(help.code, 0);
    for (const command of ["schema print <schema>", "typegen <schema>", "kvetch migrate", "kvetch repair", "kvetch stats", "deps invalidate <key>", "--version"]) {
      assert.match(help.out, command);
    }
    assert.match(help.out, "Usage: graphscale schema print"); // each group's own usage follows
    assert.match(help.out, "Usage: graphscale kvetch <command>");
  });

  test("dist bin: usage errors are one line on stderr with exit 2", () => {
    for (const args of [["explode"], ["--verbose"], ["kvetch", "explode"], ["schema", "dump"], ["typegen"], ["kvetch", "repair", "--batch-size", "0"]]) {
      const result = run(args);
      assert.is(result.code, 2, args.join(" "));
      assert.is(result.out, "");
      assert.match(result.err, /^graphscale: [^\n]+ \(usage: graphscale [a-z -]+\)\n$/, `${args.join(" ")}: ${result.err}`);
    }
  });

  for (const [kind, file] of Object.entries(schemas)) {
    test(`dist bin: schema print and typegen take a .${kind} schema`, () => {
      const print = run(["schema", "print", file]);
      assert.is(print.code, 0, print.err);
      assert.match(print.out, "# edge user_to_list (edgeId 1): User -> TodoList, derived from TodoList.userId");
      const types = run(["typegen", file]);
      assert.is(types.code, 0, types.err);
      assert.match(types.out, "export interface TodoList {");
    });

    test(`dist bin: kvetch migrate, stats and repair take a .${kind} schema (GRAPHSCALE_SCHEMA)`, () => {
      const env = { GRAPHSCALE_SCHEMA: file };
      for (const command of ["migrate", "stats"]) {
        const result = run(["kvetch", command, "--config", join(dir, "memory.config.mjs")], env);
        assert.is(result.code, 0, `${command}: ${result.err}`);
      }
      const repaired = run(["kvetch", "repair", "--config", join(dir, "memory.config.mjs"), "--checkpoint", join(dir, `${kind}.checkpoint.json`)], env);
      assert.is(repaired.code, 0, repaired.err);
      // 3 objects scanned: the schema named the two edges and the index the scan re-derives.
      assert.equal(JSON.parse(repaired.out), { scanned: 3, checked: 3, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 });
    });
  }

  // An ES module (.mts) so that tsx reads it as one: a .ts it reads as CommonJS gets a second graphql 17 (spec/graphql-versions.md).
  test("dist bin: a .mts schema only tsx can load (an enum: Node's type stripping refuses it) loads through tsx", () => {
    const file = join(dir, "todo-schema-enum.mts");
    writeFileSync(file, `${moduleText(true)}export enum Kind { Todo = "todo" }\n`);
    const print = run(["schema", "print", file]);
    assert.is(print.code, 0, print.err);
    assert.match(print.out, "# edge user_to_list (edgeId 1): User -> TodoList, derived from TodoList.userId");
  });

  test("dist bin: a schema that is neither SDL nor a module is refused before anything opens", () => {
    const result = run(["kvetch", "repair", "--config", join(dir, "memory.config.mjs")], { GRAPHSCALE_SCHEMA: "schema.txt" });
    assert.is(result.code, 2);
    assert.match(result.err, "GRAPHSCALE_SCHEMA: the schema");
    assert.match(result.err, "is neither annotated SDL (.graphql, .gql) nor a module");
  });

  const redisUp = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: 6379 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
  if (!redisUp && process.env.CI !== "true") {
    console.log("SKIPPED deps invalidate in test/packaging/cli-dist.test.ts: no Redis on 127.0.0.1:6379 (`npm run services`)");
  } else {
    const prefix = `gs-cli-dist-${process.pid}-${Date.now()}:`;
    writeFileSync(join(dir, "redis.config.mjs"), configModule(prefix));
    for (const [kind, file] of Object.entries(schemas)) {
      test(`dist bin: deps invalidate takes a .${kind} schema and checks the edge name against it`, () => {
        assert.ok(redisUp, "Redis is not reachable on 127.0.0.1:6379");
        const id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        const config = ["--config", join(dir, "redis.config.mjs")];
        const done = run(["deps", "invalidate", `edges:user_to_list:${id}`, ...config], { GRAPHSCALE_SCHEMA: file });
        assert.is(done.code, 0, done.err);
        assert.equal(JSON.parse(done.out), { invalidated: [`edges:user_to_list:${id}`] });
        const unknown = run(["deps", "invalidate", `edges:no_such_edge:${id}`, ...config], { GRAPHSCALE_SCHEMA: file });
        assert.is(unknown.code, 2);
        assert.match(unknown.err, "no_such_edge");
      });
    }
    test.after(() => {
      // The run's own key prefix only: the shared Redis keeps everything else.
      spawnSync("redis-cli", ["-h", "127.0.0.1", "--scan", "--pattern", `${prefix}*`], { encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean)
        .forEach((key) => spawnSync("redis-cli", ["-h", "127.0.0.1", "del", key]));
    });
  }

  test.after(() => rmSync(dir, { recursive: true, force: true }));
  test.run();
}
