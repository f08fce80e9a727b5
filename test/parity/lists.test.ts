// Parity: lists of every nullability ([T], [T]!, [T!], [T!]!) of leaves and of objects, with values of every
// kind a resolver can return — arrays, promises of arrays, arrays of promises, rejected items, Error items,
// nulls, Sets, generators, non-iterables — and nested lists. Written with buildSchema and root methods.

import { test } from "uvu";
import { buildSchema } from "graphql";
import { registerCases, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  type Query {
    ints(kind: String!): [Int]
    intsNonNull(kind: String!): [Int]!
    nonNullInts(kind: String!): [Int!]
    nonNullIntsNonNull(kind: String!): [Int!]!
    objs(kind: String!): [Obj]
    objsNonNull(kind: String!): [Obj]!
    nonNullObjs(kind: String!): [Obj!]
    nonNullObjsNonNull(kind: String!): [Obj!]!
    matrix(kind: String!): [[Int]]
    strictMatrix(kind: String!): [[Int!]!]
    objMatrix(kind: String!): [[Obj!]]
    words: [String]
    tags: [[String]]
  }

  type Obj {
    n: Int!
    double: Int
    later: Int
    strictLater: Int!
    children: [Obj!]
  }
`);

function* numbers(): Generator<number> {
  yield 1;
  yield 2;
}

function* brokenNumbers(): Generator<number> {
  yield 1;
  throw new Error("the generator broke");
}

/** A generator that yields `items`, then throws (graphql-js completes each item as it reads it). */
function* brokenAfter(...items: unknown[]): Generator<unknown> {
  yield* items;
  throw new Error("the generator broke after its items");
}

/** An iterator over `items` whose `return()` throws: graphql-js ignores that when it stops reading early. */
function throwingReturn(...items: unknown[]): Iterable<unknown> {
  return {
    [Symbol.iterator]() {
      let k = 0;
      return {
        next: () => (k < items.length ? { done: false, value: items[k++] } : { done: true, value: undefined }),
        return: () => {
          throw new Error("return() threw");
        },
      };
    },
  };
}

/** Every kind of list value a resolver can return, by name. */
const kinds: Record<string, (context?: unknown) => unknown> = {
  sync: () => [1, 2],
  syncWithNull: () => [1, null, 2],
  empty: () => [],
  null: () => null,
  rejected: () => Promise.reject(new Error("the list rejected")),
  thrown: () => {
    throw new Error("the list threw");
  },
  promise: () => Promise.resolve([1, 2]),
  promiseWithNull: () => Promise.resolve([1, null, 2]),
  promiseOfNull: () => Promise.resolve(null),
  itemPromises: () => [Promise.resolve(1), 2, Promise.resolve(3)],
  itemPromiseOfNull: () => [Promise.resolve(1), Promise.resolve(null), 3],
  itemRejected: () => [Promise.resolve(1), Promise.reject(new Error("an item rejected")), 3],
  promiseOfItemPromises: () => Promise.resolve([Promise.resolve(1), Promise.reject(new Error("a late item rejected"))]),
  errorItem: () => [1, new Error("an item is an Error"), 3],
  promiseOfErrorItem: () => Promise.resolve([new Error("a promised item is an Error")]),
  itemPromiseOfError: () => [1, Promise.resolve(new Error("an item promise gave an Error"))],
  set: () => new Set([1, 2, 3]),
  generator: () => numbers(),
  brokenGenerator: () => brokenNumbers(),
  nullThenBroken: () => brokenAfter(1, null),
  badItemThenBroken: () => brokenAfter("abc", 2),
  errorItemThenBroken: () => brokenAfter(new Error("an item is an Error"), 2),
  itemPromisesThenBroken: () => brokenAfter(Promise.resolve(1), Promise.resolve(null), Promise.reject(new Error("an item rejected"))),
  nullThenThrowingReturn: () => throwingReturn(1, null, 3),
  notIterable: () => 42,
  string: () => "abc",
  object: () => ({ length: 2, 0: 1, 1: 2 }),
  returnedError: () => new Error("the list is an Error"),
  logged: (context) => logged(context as { read: string[] }),
};

/** Logs each read in the request's context: a generator must be read as far as graphql-js reads it. */
function* logged(context: { read: string[] }): Generator<unknown> {
  for (const item of [1, null, 3]) {
    context.read.push(`read ${String(item)}`);
    yield item;
  }
  context.read.push("read to the end");
}

const obj = {
  n: (value: number) => value,
  double: (value: number) => value * 2,
  later: (value: number) => Promise.resolve(value * 10),
  strictLater: (value: number) => (value === 2 ? Promise.resolve(null) : Promise.resolve(value)),
  children: (value: number) => (value > 2 ? [] : [value + 1, Promise.resolve(value + 2)]),
};
const objFieldResolvers = new Map(Object.entries(obj));

const matrices: Record<string, () => unknown> = {
  sync: () => [[1, 2], [3]],
  withNulls: () => [[1, null], null, [3]],
  promises: () => [Promise.resolve([1, Promise.resolve(2)]), [Promise.resolve(3)]],
  rejectedInner: () => [[1, Promise.reject(new Error("inner item rejected"))], [3]],
  rejectedRow: () => [[1], Promise.reject(new Error("a row rejected"))],
  sets: () => new Set([new Set([1, 2]), numbers()]),
  errorInner: () => [[new Error("inner Error item")], [2]],
  brokenRows: () => brokenAfter([1, "x"], brokenAfter("y", 2), [3]),
  nullRowThenBroken: () => brokenAfter([1], null, [2]),
  nullInnerItemThenBroken: () => brokenAfter([1], brokenAfter(null, 2), [3]),
};

const rootValue = {
  ints: ({ kind }: { kind: string }, context: unknown) => kinds[kind]!(context),
  intsNonNull: ({ kind }: { kind: string }, context: unknown) => kinds[kind]!(context),
  nonNullInts: ({ kind }: { kind: string }, context: unknown) => kinds[kind]!(context),
  nonNullIntsNonNull: ({ kind }: { kind: string }, context: unknown) => kinds[kind]!(context),
  objs: ({ kind }: { kind: string }) => kinds[kind]!(),
  objsNonNull: ({ kind }: { kind: string }) => kinds[kind]!(),
  nonNullObjs: ({ kind }: { kind: string }) => kinds[kind]!(),
  nonNullObjsNonNull: ({ kind }: { kind: string }) => kinds[kind]!(),
  matrix: ({ kind }: { kind: string }) => matrices[kind]!(),
  strictMatrix: ({ kind }: { kind: string }) => matrices[kind]!(),
  objMatrix: ({ kind }: { kind: string }) => matrices[kind]!(),
  words: () => ["a", Promise.resolve("b"), new Set(["c"]), 7, true],
  tags: () => [["a", Promise.resolve("b")], Promise.resolve(["c", null]), new Set(["d"])],
};

/** Obj fields resolve from the list item (a number) through the request's field resolver for Obj only. */
const fieldResolver = (source: unknown, args: Record<string, unknown>, context: unknown, info: { parentType: { name: string }; fieldName: string }) => {
  if (info.parentType.name === "Obj") return objFieldResolvers.get(info.fieldName)!(source as number);
  const property = (source as Record<string, unknown>)[info.fieldName];
  return typeof property === "function" ? property(args, context, info) : property;
};

/**
 * Values whose list fails synchronously (its iterable throws, or a row fails at a non-null item) while some
 * items or fields are pending: graphql-js does not wait for them and may return synchronously.
 */
function stopsWithPending(kind: string): Partial<ParityCase> {
  return kind === "itemPromisesThenBroken" || kind === "brokenRows" || kind === "nullRowThenBroken" || kind === "nullInnerItemThenBroken" ? { knownDifference: "sync-abort" } : {};
}

const cases: ParityCase[] = [];
for (const kind of Object.keys(kinds).filter((k) => k !== "logged")) {
  for (const field of ["ints", "intsNonNull", "nonNullInts", "nonNullIntsNonNull"]) {
    cases.push({ name: `${field} from ${kind}`, query: `{ ${field}(kind: "${kind}") }`, ...stopsWithPending(kind) });
  }
}
const objectKinds = ["sync", "syncWithNull", "null", "rejected", "promiseWithNull", "itemPromises", "itemRejected", "errorItem", "set", "generator", "notIterable"];
objectKinds.push("brokenGenerator", "nullThenBroken", "badItemThenBroken", "errorItemThenBroken", "itemPromisesThenBroken", "nullThenThrowingReturn");
for (const kind of objectKinds) {
  for (const field of ["objs", "objsNonNull", "nonNullObjs", "nonNullObjsNonNull"]) {
    cases.push({ name: `${field} from ${kind}`, query: `{ ${field}(kind: "${kind}") { n double } }`, ...stopsWithPending(kind) });
  }
}
for (const kind of Object.keys(matrices)) {
  cases.push({ name: `matrix from ${kind}`, query: `{ matrix(kind: "${kind}") }` });
  cases.push({ name: `strictMatrix from ${kind}`, query: `{ strictMatrix(kind: "${kind}") }` });
  cases.push({ name: `objMatrix from ${kind}`, query: `{ objMatrix(kind: "${kind}") { n later } }`, ...stopsWithPending(kind) });
}
cases.push(
  { name: "objects with async fields in every item", query: `{ objs(kind: "itemPromises") { n later double } }` },
  { name: "objects with a non-null async field failing in one item", query: `{ objs(kind: "sync") { n strictLater } nonNullObjs(kind: "sync") { strictLater } }` },
  { name: "nested children lists of objects", query: `{ objs(kind: "sync") { n children { n later children { n double } } } }` },
  { name: "aliases over lists with different kinds", query: `{ a: ints(kind: "set") b: ints(kind: "itemRejected") c: objs(kind: "generator") { n } }` },
  { name: "leaf list items that are not of the item type", query: `{ words }` },
  { name: "nested leaf lists with promises and Sets", query: `{ tags }` },
  {
    name: "a generator is read up to the null at a non-null item, as graphql-js reads it",
    query: `{ nonNullInts(kind: "logged") a: ints(kind: "logged") }`,
    fresh: () => ({ contextValue: { read: [] } }),
    observe: (context) => (context as { read: string[] }).read,
  },
  {
    name: "a null item in a non-null object list with async siblings pending",
    query: `{ nonNullObjs(kind: "syncWithNull") { n later } }`,
    // graphql-js stops at the null item synchronously and abandons item 0's pending field
    knownDifference: "sync-abort",
  },
);

registerCases(test, schema, cases, { rootValue, fieldResolver });

test.run();
