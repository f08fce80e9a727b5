// `graphscale schema print` and `graphscale typegen` (steps/kvetch/cli): the resolved SDL and the Kvetch
// schema of an annotated SDL file or a schema module, as the built bin prints them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { printSchema, versionInfo } from "graphql";
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

const dir = mkdtempSync(join(tmpdir(), "graphscale-schema-cli-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("usage errors exit 2 with one line naming what was wrong and where the usage is; nothing is ignored", async () => {
  const todo = "examples/todo/todo.graphql";
  const cases: [string[], string][] = [
    [["schema"], "schema needs a command; the command is: graphscale schema print <file>"],
    [["schema", "dump", todo], 'unknown schema command "dump"; the command is: graphscale schema print <file>'],
    [["schema", "print"], "schema print needs a schema file"],
    [["typegen"], "typegen needs a schema file"],
    [["schema", "print", todo, "--bogus"], "unknown option --bogus; schema print takes --json, --directives"],
    [["schema", "print", todo, "examples/todo/other.graphql"], 'unexpected argument "examples/todo/other.graphql": schema print takes one schema file'],
    [["schema", "print", todo, "--out", "x.ts"], "--out is not an option of schema print; schema print takes --json, --directives"],
    [["typegen", todo, "--json"], "--json is not an option of typegen; typegen takes --out"],
    [["typegen", todo, "--out"], "--out needs a value"],
    [["typegen", todo, "--out", "--json"], "--out needs a value"],
    [["schema", "print", "--directives", todo], "--directives prints only the directive definitions: it takes no schema file"],
    [["schema", "print", "kvetch.config.json"], "kvetch.config.json is neither annotated SDL (.graphql, .gql) nor a module"],
  ];
  for (const args of cases) {
    const result = await cli(...args[0]);
    assert.is(result.code, 2, args[0].join(" "));
    assert.match(result.err, `graphscale: ${args[1]}`);
    assert.match(result.err, /^graphscale: [^\n]* \(usage: graphscale (schema|typegen) --help\)\n$/, "one line");
    assert.is(result.out, "");
  }
  const help = await cli("typegen", "--help");
  assert.is(help.code, 0);
  assert.match(help.out, "Usage: graphscale schema print");
});

test("a module whose `schema` is not a GraphQLSchema: says what it is and what the module must export", async () => {
  const cases: [string, string, string][] = [
    ["kvetch.mjs", "export const schema = { objects: [], edges: [], indexes: [] };", "as an object with keys objects, edges, indexes, not a GraphQLSchema"],
    ["path.mjs", 'export default { schema: "./todo.graphql" };', 'as the string "./todo.graphql", not a GraphQLSchema'],
  ];
  for (const [name, text, what] of cases) {
    writeFileSync(join(dir, name), text);
    const result = await cli("schema", "print", join(dir, name));
    assert.is(result.code, 1, name);
    assert.match(result.err, `graphscale: ${join(dir, name)} exports \`schema\` ${what}; a module must export \`schema\` (a GraphQLSchema)`);
    assert.not.match(result.err, /^\s+at /m);
  }
});

test("graphql-js's SDL validation errors: each on its own line with its line and column", async () => {
  const unknown = join(dir, "unknown.graphql");
  writeFileSync(unknown, "type Query {\n  a: Foo\n  b: Bar @nope\n}\ntype T @object(typeId: 1) { id: ID! }\ntype T { c: Int }\n");
  const result = await cli("schema", "print", unknown);
  assert.is(result.code, 1);
  assert.is(
    result.err,
    `graphscale: ${unknown}:2:6: Unknown type "Foo".\n` +
      `  3:6: Unknown type "Bar".\n` +
      `  3:10: Unknown directive "@nope".\n` +
      `  5:6: There can be only one type named "T".\n`,
  );
});

test("a JavaScript module with a syntax error: the file, line and column of it", async () => {
  const broken = join(dir, "broken.mjs");
  writeFileSync(broken, "export const schema =\n  makeKvetchSchema({ typeDefs: `type Query { a: Int }` ]);\n");
  const result = await cli("schema", "print", broken);
  assert.is(result.code, 1);
  assert.is(result.err, `graphscale: cannot load ${broken}: ${broken}:2:56: Unexpected token ']'\n`);
});

test("an SDL error names the file, line and column: a syntax error, a misused directive, a misplaced @default", async () => {
  const syntax = join(dir, "syntax.graphql");
  writeFileSync(syntax, "type Query {\n  a: Int\n  b c\n}\n");
  const located = await cli("typegen", syntax);
  assert.is(located.code, 1);
  assert.is(located.err, `graphscale: ${syntax}:3:5: Syntax Error: Expected ":", found Name "c".\n`);
  const invalid = join(dir, "invalid.graphql");
  writeFileSync(invalid, 'type Query { a: A }\ntype A @object(typeId: "x") { id: ID! }\n');
  const named = await cli("schema", "print", invalid);
  assert.is(named.code, 1);
  // graphql-js's own message for the argument, worded by the installed major
  const typeIdMessage = versionInfo.major === 16 ? 'Argument "typeId" has invalid value "x".' : 'Argument "@object(typeId:)" has invalid value: Int cannot represent non-integer value: "x"';
  assert.is(named.err, `graphscale: ${invalid}:2:8: makeKvetchSchema: A: @object is malformed: ${typeIdMessage}\n`);
  const semantic = join(dir, "semantic.graphql");
  writeFileSync(semantic, 'type Query { a: A }\ntype A @object(typeId: 1) {\n  id: ID!\n  n: Int @index(name: "n", indexId: 1)\n  m: [A] @edgeCount(edge: "x")\n}\n');
  const at = await cli("schema", "print", semantic);
  assert.is(at.code, 1);
  assert.match(at.err, `graphscale: ${semantic}:5:10: makeKvetchSchema: A.m: @edgeCount needs an Int or Int! field`);
  const stored = join(dir, "stored-default.graphql");
  writeFileSync(
    stored,
    'type Query { a: A }\ntype A @object(typeId: 1) { id: ID!, b: B @edgeFromStoredId(attr: "bId") }\ntype B @object(typeId: 2) { id: ID! }\nextend type A {\n  bId: ID @default(value: "nope")\n}\n',
  );
  const field = await cli("schema", "print", stored);
  assert.is(field.code, 1);
  assert.match(field.err, `graphscale: ${stored}:5:3: makeKvetchSchema: A.bId: @default value "nope" is not an object id`);
});

test.run();
