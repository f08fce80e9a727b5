// Parity: non-null propagation — nulls and errors at several depths, sync and async, through lists of
// every non-null shape ([T!]!, [T!], [T]!), with the errors graphql-js keeps and the ones it drops
// under a position that was already nulled. Written with buildSchema and a rootValue of methods.

import { test } from "uvu";
import { buildSchema } from "graphql";
import { CallCounter, registerCases, syncAbortOn17, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  type Query {
    throwing: Node
    nulls: Node
    throwingNonNull: Node!
    nullsNonNull: Node!
    fine: Node
  }

  type Node {
    sync: String
    syncNonNull: String!
    promise: String
    promiseNonNull: String!
    value: String!
    nest: Node
    nestNonNull: Node!
    promiseNest: Node
    promiseNestNonNull: Node!
    list: [Node]
    listOfNonNull: [Node!]
    nonNullList: [Node]!
    nonNullListOfNonNull: [Node!]!
    promiseListOfNonNull: [Node!]
    leaves: [String!]
    leavesNonNull: [String!]!
    leavesNullable: [String]!
  }
`);

const calls = new CallCounter();

type Mode = "throw" | "null" | "fine";

/** One node of the tree; `mode` says how its failing fields fail. */
function node(mode: Mode, depth: number): Record<string, unknown> {
  const fail = (label: string) => {
    if (mode === "throw") throw new Error(`${label} threw at depth ${depth}.`);
    return mode === "null" ? null : `${label}@${depth}`;
  };
  const failAsync = (label: string) =>
    mode === "throw" ? Promise.reject(new Error(`${label} rejected at depth ${depth}.`)) : Promise.resolve(mode === "null" ? null : `${label}@${depth}`);
  const child = () => (depth < 4 ? node(mode, depth + 1) : null);
  return {
    sync: () => (calls.hit("sync"), fail("sync")),
    syncNonNull: () => (calls.hit("syncNonNull"), fail("syncNonNull")),
    promise: () => (calls.hit("promise"), failAsync("promise")),
    promiseNonNull: () => (calls.hit("promiseNonNull"), failAsync("promiseNonNull")),
    value: `value@${depth}`,
    nest: () => (calls.hit("nest"), child()),
    nestNonNull: () => (calls.hit("nestNonNull"), child()),
    promiseNest: () => (calls.hit("promiseNest"), Promise.resolve(child())),
    promiseNestNonNull: () => (calls.hit("promiseNestNonNull"), Promise.resolve(child())),
    list: () => [child(), mode === "fine" ? child() : null, child()],
    listOfNonNull: () => [child(), mode === "fine" ? child() : null],
    nonNullList: () => (mode === "fine" ? [child()] : mode === "null" ? null : [child(), new Error(`list item error at depth ${depth}.`)]),
    nonNullListOfNonNull: () => (mode === "fine" ? [child()] : [child(), null]),
    promiseListOfNonNull: () => Promise.resolve([Promise.resolve(child()), mode === "fine" ? child() : Promise.resolve(null)]),
    leaves: () => ["a", mode === "fine" ? "b" : null, "c"],
    leavesNonNull: () => (mode === "fine" ? ["a"] : ["a", null]),
    leavesNullable: () => (mode === "null" ? null : ["a", null, mode === "throw" ? new Error(`leaf error at depth ${depth}.`) : "c"]),
  };
}

const rootValue = {
  throwing: () => node("throw", 1),
  nulls: () => node("null", 1),
  throwingNonNull: () => node("throw", 1),
  nullsNonNull: () => node("null", 1),
  fine: () => node("fine", 1),
};

const q = (root: string, selection: string) => `{ ${root} { ${selection} } }`;

const cases: ParityCase[] = [];
for (const root of ["throwing", "nulls"] as const) {
  cases.push(
    { name: `${root}: nullable sync field`, query: q(root, "sync") },
    { name: `${root}: nullable promise field`, query: q(root, "promise") },
    { name: `${root}: non-null sync field nulls its parent`, query: q(root, "syncNonNull") },
    { name: `${root}: non-null promise field nulls its parent`, query: q(root, "promiseNonNull") },
    { name: `${root}: non-null sync field under non-null root nulls data`, query: q(`${root}NonNull`, "syncNonNull") },
    { name: `${root}: non-null promise field under non-null root nulls data`, query: q(`${root}NonNull`, "promiseNonNull") },
    { name: `${root}: sync and promise siblings`, query: q(root, "sync promise value") },
    { name: `${root}: nested non-null chain to a nullable nest`, query: q(root, "nest { nestNonNull { nestNonNull { syncNonNull } } }") },
    { name: `${root}: nested non-null chain with promises`, query: q(root, "promiseNest { promiseNestNonNull { nestNonNull { promiseNonNull } } }") },
    { name: `${root}: non-null chain all the way to data`, query: q(`${root}NonNull`, "nestNonNull { promiseNestNonNull { syncNonNull } }") },
    {
      name: `${root}: a tree of nullable fields, each failing`,
      query: q(root, "sync promise nest { sync promise } promiseNest { sync promise nest { sync promise } promiseNest { sync promise } }"),
    },
    {
      name: `${root}: a tree of non-null fields, each failing`,
      query: q(
        root,
        "nest { syncNonNull promiseNonNull nest { syncNonNull promiseNonNull } } promiseNest { promiseNonNull syncNonNull promiseNest { syncNonNull } }",
      ),
      knownDifference: "sync-abort",
    },
    {
      name: `${root}: sync error after an async non-null error in the same object`,
      query: q(root, "nest { promiseNonNull sync } promiseNest { promiseNonNull promise }"),
    },
    {
      name: `${root}: async error before a sync non-null error in the same object`,
      query: q(root, "nest { promise syncNonNull } promiseNest { promise syncNonNull }"),
    },
    {
      name: `${root}: a pending non-null error before a synchronous one: only the synchronous one is kept`,
      query: q(root, "nest { promiseNonNull syncNonNull } promiseNest { promiseNonNull syncNonNull }"),
    },
    {
      name: `${root}: the same, bubbling up to data`,
      query: q(`${root}NonNull`, "promiseNonNull syncNonNull"),
      // graphql 17 nulls data at once, not waiting for the pending field
      ...syncAbortOn17,
    },
    { name: `${root}: nullable list with a null item`, query: q(root, "list { value }") },
    { name: `${root}: list of non-null with a null item`, query: q(root, "listOfNonNull { value }") },
    {
      name: `${root}: non-null list failing`,
      query: q(root, "nonNullList { value } sync"),
      // a null list aborts its siblings; a list holding an Error item does not
      ...(root === "nulls" ? { knownDifference: "sync-abort" as const } : {}),
    },
    { name: `${root}: non-null list of non-null with a null item`, query: q(root, "nonNullListOfNonNull { value } promise"), knownDifference: "sync-abort" },
    { name: `${root}: promised list of promised non-null items`, query: q(root, "promiseListOfNonNull { value promise }") },
    { name: `${root}: leaf lists of every shape`, query: q(root, "leaves leavesNullable") },
    { name: `${root}: non-null leaf list with a null item`, query: q(root, "leavesNonNull") },
    { name: `${root}: non-null leaf list under a non-null root`, query: q(`${root}NonNull`, "leavesNonNull") },
    {
      name: `${root}: errors inside list items at depth`,
      query: q(root, "list { sync nest { syncNonNull } } listOfNonNull { nestNonNull { promiseNonNull } }"),
      knownDifference: "sync-abort",
    },
    { name: `${root}: deep nullable sync chain`, query: q(root, "nest { nest { nest { sync nest { sync } } } }") },
  );
}
cases.push(
  { name: "fine: everything resolves", query: q("fine", "sync promise syncNonNull promiseNonNull nest { value } promiseNestNonNull { value }") },
  { name: "fine: lists resolve", query: q("fine", "list { value } listOfNonNull { value } nonNullList { value } nonNullListOfNonNull { value } leaves leavesNonNull leavesNullable") },
  { name: "fine: promised list of promises", query: q("fine", "promiseListOfNonNull { value promiseNestNonNull { value } }") },
  { name: "fine and throwing side by side", query: `{ fine { value promise } throwing { promise } nulls { sync } }` },
  { name: "two non-null roots: the first fails synchronously", query: `{ fine { value } throwingNonNull { syncNonNull } }` },
  { name: "non-null root failing asynchronously beside a nullable one", query: `{ throwing { promise } nullsNonNull { promiseNonNull } }` },
  { name: "aliases over the same failing field", query: `{ a: throwing { x: sync y: sync } b: nulls { x: syncNonNull } }` },
  { name: "deeper errors under an already nulled position are dropped", query: `{ throwing { nest { promise promiseNest { promise } syncNonNull } } }`, ...syncAbortOn17 },
);

registerCases(test, schema, cases, { rootValue, calls });

test.run();
