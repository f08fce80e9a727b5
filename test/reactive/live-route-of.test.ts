// RouteOf and RouteOfTag (spec/reactivity.md): a Kvetch names an object's route by its key in canonical
// form (the very string asked about, so a live query keeps no second string per object), any other key's by
// its tag; a write's change names the same routes, so the router finds the live queries it reaches.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededStore } from "../kvetch-steps/todo.js";

test("routeOf: an object key is its own route (the same string), an uppercase id its lowercase key, an edge list's edges: and count: keys share the tag, a malformed key has none", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const item = seed.itemIds[0]![0]![0]!;
  const list = seed.listIds[0]![0]!;
  const key = `object:${item}`;
  assert.ok(kvetch.routeOf(key) === key, "the key itself");
  assert.is(kvetch.routeOf(`object:${item.toUpperCase()}`), key);
  const edges = kvetch.routeOf(`edges:list_to_item:${list}`);
  assert.ok(edges !== null && edges.startsWith("e:"), `an edge list's route is its tag: ${edges}`);
  assert.is(kvetch.routeOf(`count:list_to_item:${list}`), edges);
  assert.is(kvetch.routeOf("object:not-an-id"), null);
  assert.is(kvetch.routeOf("edges:no_such_edge:" + list), null);
  await kvetch.close();
});

test("a write's change names routeOf of each key it touches: the object's key and its edge list's tag", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 1 });
  const item = seed.itemIds[0]![0]![0]!;
  const [from, to] = seed.listIds[0]!;
  const heard: string[][] = [];
  const stop = kvetch.onInvalidate((change) => void heard.push([...(change?.routes ?? [])]));
  await kvetch.updateObject("TodoItem", item, { text: "renamed" });
  assert.equal(heard, [[`object:${item}`]]);
  await kvetch.updateObject("TodoItem", item, { listId: to });
  const routes = heard[1]!;
  assert.ok(routes.includes(`object:${item}`), routes.join(" "));
  for (const list of [from!, to!]) assert.ok(routes.includes(kvetch.routeOf(`edges:list_to_item:${list}`)!), `the list's edge route: ${routes.join(" ")}`);
  stop();
  await kvetch.close();
});

test.run();
