// defineSchema: validation messages and the links from types to their derived edges and indexes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KvetchError, defineSchema } from "../../src/kvetch/index.js";
import { todoKvetchSchema as todoSchema } from "../../examples/todo/kvetchSchema.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

function schemaError(config: unknown): string {
  try {
    defineSchema(config as Parameters<typeof defineSchema>[0]);
  } catch (error) {
    assert.instance(error, KvetchError);
    assert.is((error as KvetchError).code, "BAD_SCHEMA");
    return (error as Error).message;
  }
  throw new Error("defineSchema accepted a bad schema");
}

test("defineSchema: derived edges and indexes are linked to their types", () => {
  const list = todoSchema.objectType("TodoList", "test");
  assert.equal(list.derivedEdges.map((e) => e.name), ["user_to_list"]);
  const user = todoSchema.objectType("User", "test");
  assert.equal(user.indexes.map((i) => i.name), ["username"]);
  const edge = todoSchema.edge("user_to_list", "test");
  assert.is(edge.derived, true);
  assert.is(edge.toType, "TodoList");
  assert.is(todoSchema.objectType("TodoItem", "test").derivedEdges[0]!.name, "list_to_item");
  assert.is(contractSchema.edge("likes", "test").derived, false, "an edge without storedIdAttr is stored");
});

test("defineSchema: duplicate names and ids", () => {
  assert.match(
    schemaError({ objects: [{ name: "User", typeId: 1 }, { name: "User", typeId: 2 }] }),
    'objects[1] reuses the name "User" of objects[0]',
  );
  assert.match(
    schemaError({ objects: [{ name: "User", typeId: 1 }, { name: "Post", typeId: 1 }] }),
    "objects[1] (Post) reuses typeId 1 of objects[0] (User)",
  );
  assert.match(
    schemaError({
      objects: [{ name: "User", typeId: 1 }],
      edges: [{ name: "a", edgeId: 3 }, { name: "b", edgeId: 3 }],
    }),
    "edges[1] (b) reuses edgeId 3 of edges[0] (a)",
  );
});

test("defineSchema: ids must be positive integers", () => {
  for (const typeId of [0, -1, 1.5, "1", 2 ** 31]) {
    assert.match(schemaError({ objects: [{ name: "User", typeId }] }), "objects[0] (User).typeId is");
  }
});

test("defineSchema: referenced types must exist", () => {
  assert.match(
    schemaError({
      objects: [{ name: "User", typeId: 1 }],
      edges: [{ name: "user_to_list", edgeId: 1, storedIdAttr: "userId", storedOnType: "TodoList" }],
    }),
    'edges[0].storedOnType is "TodoList", which is not an object type; defined: User',
  );
  assert.match(
    schemaError({
      objects: [{ name: "User", typeId: 1 }],
      indexes: [{ name: "username", indexId: 1, indexedType: "Person", indexedAttr: "username" }],
    }),
    'indexes[0].indexedType is "Person"',
  );
  assert.match(
    schemaError({
      objects: [{ name: "User", typeId: 1 }],
      edges: [{ name: "half", edgeId: 1, storedIdAttr: "userId" }],
    }),
    "has only one of storedIdAttr and storedOnType",
  );
  assert.match(
    schemaError({ objects: [{ name: "bad name", typeId: 1 }] }),
    'objects[0].name is "bad name"; names are identifiers',
  );
});

test("lookups: an unknown name lists the valid ones", () => {
  assert.throws(
    () => todoSchema.objectType("Usr", "createObject"),
    (error: Error) =>
      error.message === 'Kvetch: createObject: unknown object type "Usr"; the schema defines "User", "TodoList", "TodoItem"',
  );
  assert.throws(() => todoSchema.edge("friends", "getEdges"), /unknown edge "friends"; the schema defines "user_to_list", "list_to_item"/);
  assert.throws(() => todoSchema.index("email", "queryIndex"), /unknown index "email"; the schema defines "username"/);
});

test.run();
