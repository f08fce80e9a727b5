// How dependencies are recorded, kept cheap without changing what a response carries: `extensions.deps` is
// plain objects (the usual prototype, keys in the order read), a key of any name is an own property, the
// first version read of a key is the one kept, and the same view read twice gives equal deps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, executeSync, makeSchema, recordDependency } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { prepareRequest } from "../../src/engine/request/prepareRequest.js";
import { pathKey } from "../../src/engine/deps.js";
import { executeKeepingRoot } from "../../src/engine/live/executeSubtree.js";

type Deps = Record<string, Record<string, number | null>>;

async function viewDeps(kvetch: Kvetch, id: string): Promise<Deps> {
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch }, deps: true });
  assert.is(result.errors, undefined);
  return (result.extensions as { deps: Deps }).deps;
}

test("todo view deps: ordinary objects, one per path in reading order, each key in reading order", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const deps = await viewDeps(kvetch, user);
  assert.is(Object.getPrototypeOf(deps), Object.prototype);
  // The user's list is read by a global step (its key is the query's argument): it belongs to the root.
  assert.equal(Object.keys(deps), ["", "todoUser.todoLists.0", "todoUser.todoLists.1", "todoUser.todoLists.2"]);
  for (const path of Object.keys(deps)) {
    assert.is(Object.getPrototypeOf(deps[path]), Object.prototype, `path "${path}"`);
    assert.ok(deps[path]!.hasOwnProperty(Object.keys(deps[path]!)[0]!), `path "${path}" answers hasOwnProperty`);
  }
  const lists = seed.listIds[0]!;
  assert.equal(Object.keys(deps[""]!), [`object:${user}`, `edges:user_to_list:${user}`, ...lists.map((l) => `object:${l}`)]);
  for (let i = 0; i < lists.length; i++) {
    assert.equal(Object.keys(deps[`todoUser.todoLists.${i}`]!), [`edges:list_to_item:${lists[i]}`, ...seed.itemIds[0]![i]!.map((it) => `object:${it}`)]);
  }
  // Deep-equal to the same deps built as object literals: nothing about them is unusual.
  assert.equal(JSON.parse(JSON.stringify(deps)), deps);
  assert.equal(await viewDeps(kvetch, user), deps, "the same view read again records the same deps");
});

test("todo view deps: the compiled output walks the item lists unopened, and the deps equal those of a run opening every layer", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const args = { schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, deps: true };
  await execute(args); // compiles the output
  const prepared = prepareRequest(args);
  if (!("request" in prepared)) throw new Error("no request");
  const kept = executeKeepingRoot(prepared.request);
  await kept.result;
  assert.is(prepared.request.walkedLists, "left", "a layer was left for the compiled output");
  const walked = await execute(args);
  const opened = await execute({ ...args, compileOutput: false });
  // The interpretive output's objects have no prototype: compared as JSON, keys in order.
  assert.is(JSON.stringify(walked), JSON.stringify(opened));
  assert.is(Object.keys((walked.extensions as { deps: Deps }).deps).length, 4);
});

test("todo view deps: a write moves exactly one version; the next response carries it", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const before = await viewDeps(kvetch, user);
  const item = seed.itemIds[0]![1]![0]!;
  await kvetch.updateObject("TodoItem", item, { text: "changed" });
  const after = await viewDeps(kvetch, user);
  const moved: string[] = [];
  for (const path of Object.keys(after)) for (const key of Object.keys(after[path]!)) if (after[path]![key] !== before[path]![key]) moved.push(key);
  assert.equal(moved, [`object:${item}`]);
  assert.is(after["todoUser.todoLists.1"]![`object:${item}`], before["todoUser.todoLists.1"]![`object:${item}`]! + 1);
});

test("recordDependency: keys named like Object.prototype members are own keys; the first version kept, null replaced", async () => {
  const names = ["__proto__", "toString", "constructor", "hasOwnProperty", "ok:1"];
  const schema = makeSchema({
    typeDefs: "type Query { a: Int }",
    resolvers: {
      Query: {
        a: (_root: unknown, _args: unknown, context: object) => {
          for (const name of names) recordDependency(context, name, 1);
          recordDependency(context, "ok:1", 2); // a later version of a key already held: the first is kept
          recordDependency(context, "ok:2"); // no version yet (null) …
          recordDependency(context, "ok:2", 5); // … replaced by the first version read
          recordDependency(context, "ok:3", Promise.resolve(7));
          return 1;
        },
      },
    },
  });
  const result = await execute({ schema, document: parse("{ a }"), contextValue: {}, deps: true });
  assert.is(result.errors, undefined);
  const root = (result.extensions as { deps: Deps }).deps[""]!;
  assert.is(Object.getPrototypeOf(root), Object.prototype);
  assert.equal(Object.keys(root), [...names, "ok:2", "ok:3"]);
  for (const name of names) assert.ok(Object.hasOwn(root, name), name);
  assert.is(root["__proto__"], 1);
  assert.is(root.toString, 1 as unknown);
  assert.is(root["ok:1"], 1);
  assert.is(root["ok:2"], 5);
  assert.is(root["ok:3"], 7);
  assert.is(JSON.stringify(root), '{"__proto__":1,"toString":1,"constructor":1,"hasOwnProperty":1,"ok:1":1,"ok:2":5,"ok:3":7}');
});

test("deps of a synchronous request: executeSync answers with them; a pending version makes the result wait for it", async () => {
  const schema = makeSchema({
    typeDefs: "type Query { a: Int  b: Int }",
    resolvers: {
      Query: {
        a: (_root: unknown, _args: unknown, context: object) => (recordDependency(context, "k:a", 3), 1),
        b: (_root: unknown, _args: unknown, context: object) => (recordDependency(context, "k:b", Promise.resolve(4)), 2),
      },
    },
  });
  const now = executeSync({ schema, document: parse("{ a }"), contextValue: {}, deps: true });
  assert.equal(now, { data: { a: 1 }, extensions: { deps: { "": { "k:a": 3 } } } });
  const later = execute({ schema, document: parse("{ a b }"), contextValue: {}, deps: true });
  assert.ok(later instanceof Promise, "a version still being read is awaited");
  assert.equal(await later, { data: { a: 1, b: 2 }, extensions: { deps: { "": { "k:a": 3, "k:b": 4 } } } });
});

test("path names: keys joined by dots, list indexes as numbers, the same before and after the kept names are dropped", () => {
  type P = { prev: P | undefined; key: string | number };
  const at = (...keys: Array<string | number>): P | undefined => keys.reduce<P | undefined>((prev, key) => ({ prev, key }), undefined);
  assert.is(pathKey(undefined), "");
  assert.is(pathKey(at("todoUser")), "todoUser");
  assert.is(pathKey(at("todoUser", "todoLists", 3)), "todoUser.todoLists.3");
  assert.is(pathKey(at("a", 0, "b", 12)), "a.0.b.12");
  // More distinct paths than are kept (50,000): the table is emptied once, and names stay right throughout.
  for (let i = 0; i < 50_010; i++) assert.is(pathKey(at("many", i)), `many.${i}`);
  assert.is(pathKey(at("todoUser", "todoLists", 3)), "todoUser.todoLists.3");
});

test("ids in another case record the same lowercased key as the stored ids", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const user = await kvetch.createObject("User", { name: "Ann", username: "ann" });
  const upper = await viewDeps(kvetch, user.id.toUpperCase());
  const lower = await viewDeps(kvetch, user.id);
  assert.equal(Object.keys(upper[""]!), [`object:${user.id}`, `edges:user_to_list:${user.id}`]);
  assert.equal(upper, lower);
});

test.run();
