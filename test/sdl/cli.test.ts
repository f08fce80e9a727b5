// `graphscale schema print` and `graphscale typegen` (steps/kvetch/cli): the resolved SDL and the Kvetch
// schema of an annotated SDL file or a schema module, as the built bin prints them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printSchema } from "graphql";
import { runSchemaCli } from "../../steps/kvetch/cli/schemaCommands.js";
import { todoSchema } from "../../examples/todo/schema.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runSchemaCli(argv, { cwd: root, out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never });
  return { code, out, err };
}

test("schema print: the todo SDL resolves to the hand-written todo API, then the Kvetch schema (3 objects, 2 edges, 1 index)", async () => {
  const { code, out } = await cli("schema", "print", "examples/todo/todo.graphql");
  assert.is(code, 0);
  const [sdl, kvetch] = out.split("\n# Kvetch schema\n");
  assert.is(sdl!.trim(), printSchema(todoSchema).trim());
  assert.equal(kvetch!.trim().split("\n"), [
    "# object User (typeId 1)",
    "# object TodoList (typeId 2)",
    "# object TodoItem (typeId 3)",
    "# edge user_to_list (edgeId 1): User -> TodoList, derived from TodoList.userId",
    "# edge list_to_item (edgeId 2): TodoList -> TodoItem, derived from TodoItem.listId",
    "# index username (indexId 1): User.username",
  ]);
});

test("schema print --json, a TypeScript module, --directives, and a clear error for a bad file", async () => {
  const json = JSON.parse((await cli("schema", "print", "examples/todo/todo.graphql", "--json")).out);
  assert.equal(json.kvetch.objects, [{ name: "User", typeId: 1 }, { name: "TodoList", typeId: 2 }, { name: "TodoItem", typeId: 3 }]);
  const module = await cli("schema", "print", "examples/todo/sdlSchema.ts");
  assert.is(module.code, 1); // exports todoSdlSchema, not `schema`
  assert.match(module.err, /exports no `schema` \(exports: .*todoSdlSchema/);
  assert.match((await cli("schema", "print", "--directives")).out, /^"""A stored Kvetch object type/);
  assert.is((await cli("schema", "print")).code, 2);
});

test("the built bin: `graphscale schema print` runs from dist, other commands reach the store CLI", () => {
  const print = spawnSync(process.execPath, ["dist/graphscale.js", "schema", "print", "examples/todo/todo.graphql"], { cwd: root, encoding: "utf8" });
  assert.is(print.status, 0, print.stderr);
  assert.match(print.stdout, /# index username \(indexId 1\): User\.username/);
  const store = spawnSync(process.execPath, ["dist/graphscale.js", "kvetch", "--help"], { cwd: root, encoding: "utf8" });
  assert.match(store.stdout, /^Usage: graphscale kvetch <command>/);
});

test("typegen: one interface per type, Plans keyed by type and field with argument types", async () => {
  const { code, out } = await cli("typegen", "examples/todo/todo.graphql");
  assert.is(code, 0);
  assert.match(out, /export interface User \{\n  id: string;\n  name: string \| null;/);
  assert.match(out, /    todoUser\?: PlanResolver<unknown, \{ id: string \}>;/);
  assert.match(out, /    todoLists\?: PlanResolver<User, \{ first: number; after: string \| null \}>;/);
});

test.run();
