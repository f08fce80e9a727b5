// Dependencies recorded by the Kvetch read steps, versions bumped by every write, checkDeps in one call:
// after each kind of write, checkDeps on a todo view's old deps names exactly the keys that write touched.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { dependenciesOf, execute, executeToJSON } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";

async function view(kvetch: Kvetch, userId: string) {
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch }, deps: true });
  assert.is(result.errors, undefined);
  return result as { data: any; extensions: { deps: Record<string, Record<string, number | null>> } };
}

test("todo view with deps: one dependency per returned object and per list, none inside data, same 5 store calls", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const result = await view(kvetch, seed.userIds[0]!);
  assert.is(kvetch.counters.calls, 5);
  assert.not.ok(JSON.stringify(result.data).includes("object:"));
  const deps = dependenciesOf(result);
  const user = seed.userIds[0]!;
  assert.ok(`object:${user}` in deps);
  assert.ok(`edges:user_to_list:${user}` in deps);
  for (const list of seed.listIds[0]!) {
    assert.ok(`object:${list}` in deps);
    assert.ok(`edges:list_to_item:${list}` in deps);
  }
  for (const item of seed.itemIds[0]!.flat()) assert.ok(`object:${item}` in deps);
  assert.is(Object.keys(deps).length, 1 + 1 + 3 + 3 + 6);
  for (const version of Object.values(deps)) assert.type(version, "number");
  // per subtree: the items' list is a dependency of its list's subtree
  assert.ok(`edges:list_to_item:${seed.listIds[0]![1]}` in result.extensions.deps["todoUser.todoLists.1"]!);
  assert.equal(await kvetch.checkDeps(deps), []);
});

test("executeToJSON with deps: the same text as JSON.stringify of execute's result, extensions.deps included", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const args = { schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, deps: true };
  const text = await executeToJSON(args);
  assert.is(text, JSON.stringify(await execute(args)));
  assert.ok(`object:${seed.userIds[0]!}` in (JSON.parse(text) as { extensions: { deps: Record<string, Record<string, number>> } }).extensions.deps[""]!);
});

/** Counts the store's version reads (both ways a read step asks: dependencyVersionsNow, dependencyVersions). */
function countVersionReads(kvetch: Kvetch): { readonly reads: number } {
  const counted = { reads: 0 };
  const now = kvetch.dependencyVersionsNow.bind(kvetch);
  const later = kvetch.dependencyVersions.bind(kvetch);
  kvetch.dependencyVersionsNow = (keys) => (counted.reads++, now(keys));
  kvetch.dependencyVersions = (keys) => (counted.reads++, later(keys));
  return counted;
}

test("without deps: no extensions and no version reads; the same view with deps reads versions", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const counted = countVersionReads(kvetch);
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  assert.is(result.errors, undefined);
  assert.is(result.extensions, undefined);
  assert.is(counted.reads, 0);
  // The count sees the reads a request recording deps makes (one per read layer), so 0 above means none.
  await view(kvetch, seed.userIds[0]!);
  assert.ok(counted.reads > 0, `${counted.reads} version reads with deps`);
});

test("updating one item's text moves exactly that item's object key", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const deps = dependenciesOf(await view(kvetch, seed.userIds[0]!));
  const item = seed.itemIds[0]![1]![0]!;
  await kvetch.updateObject("TodoItem", item, { text: "changed" });
  assert.equal(await kvetch.checkDeps(deps), [`object:${item}`]);
});

test("adding an item to a list moves exactly that list's edges key (and its count)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const list = seed.listIds[0]![2]!;
  const deps = { ...dependenciesOf(await view(kvetch, seed.userIds[0]!)), [`count:list_to_item:${list}`]: (await kvetch.dependencyVersions([`count:list_to_item:${list}`]))[0]! };
  await kvetch.createObject("TodoItem", { listId: list, text: "new" });
  assert.equal((await kvetch.checkDeps(deps)).sort(), [`count:list_to_item:${list}`, `edges:list_to_item:${list}`]);
});

test("moving an item (its derived edge) moves the item and both lists; deleting moves the item and its list", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const [a, b] = seed.listIds[0]!;
  const item = seed.itemIds[0]![0]![0]!;
  let deps = dependenciesOf(await view(kvetch, seed.userIds[0]!));
  await kvetch.updateObject("TodoItem", item, { listId: b });
  assert.equal((await kvetch.checkDeps(deps)).sort(), [`edges:list_to_item:${a}`, `edges:list_to_item:${b}`, `object:${item}`].sort());
  deps = dependenciesOf(await view(kvetch, seed.userIds[0]!));
  await kvetch.deleteObject(item);
  assert.equal((await kvetch.checkDeps(deps)).sort(), [`edges:list_to_item:${b}`, `object:${item}`].sort());
});

test("index moves: changing an indexed value moves the old and the new value's index keys only", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const user = seed.userIds[0]!;
  const old = (await kvetch.getObject(user))!.data.username;
  const keys = [`index:username:${JSON.stringify(old)}`, `index:username:"zed"`, `index:username:"other"`, `object:${user}`];
  const versions = await kvetch.dependencyVersions(keys);
  await kvetch.updateObject("User", user, { username: "zed" });
  const held = Object.fromEntries(keys.map((k, i) => [k, versions[i]!]));
  assert.equal((await kvetch.checkDeps(held)).sort(), [keys[0], keys[1], keys[3]].sort());
});

test("a missing object is a dependency: creating it is not possible by id, but invalidateDependency moves it", async () => {
  const kvetch = new Kvetch({ schema: (await seededStore()).kvetch.schema, backend: memoryBackend() });
  const key = "object:00000000-0000-7000-8000-000000000001";
  const [v] = await kvetch.dependencyVersions([key, "report:weekly"]);
  await kvetch.invalidateDependency(key, "report:weekly");
  assert.equal(await kvetch.checkDeps({ [key]: v!, "report:weekly": 0, "report:daily": 0 }), [key, "report:weekly"]);
});

test("bad input: malformed keys and an oversized checkDeps list are clear errors", async () => {
  const { kvetch } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  for (const key of ["nocolon", "object:not-an-id", "edges:nope:00000000-0000-7000-8000-000000000001", "index:username:{bad", "Weird:x", ""]) {
    await kvetch.checkDeps({ [key]: 1 }).then(
      () => assert.unreachable(`accepted ${key}`),
      (error: Error) => assert.match(error.message, /malformed dependency key/),
    );
  }
  const many: Record<string, number> = {};
  for (let i = 0; i < 10_001; i++) many[`k:${i}`] = 0;
  await kvetch.checkDeps(many).then(
    () => assert.unreachable(),
    (error: Error) => assert.match(error.message, /10001 dependencies is more than the maximum of 10000/),
  );
  const ok: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) ok[`k:${i}`] = 0;
  kvetch.resetCounters();
  assert.equal(await kvetch.checkDeps(ok), []);
  assert.is(kvetch.counters.calls, 1);
});

test.run();
