// Parity: randomly generated (but fixed, seeded) queries over a non-null-heavy graph whose every field,
// list and list item is — by a hash of its position — a value, a promise, a throw, a rejection, a null or
// a promised null. They exercise the order of errors and null propagation through objects, lists and
// unions in combinations no one would write by hand. Only the results are compared: a random query may
// show the documented sync-abort difference (calls and sync-ness).

import { test } from "uvu";
import { buildSchema } from "graphql";
import { registerCases, type ParityCase } from "./harness.js";
import { saltedHash } from "../safety/fuzz.js";

const schema = buildSchema(`
  type Query { root: Node rootNN: Node! }
  type Node {
    a: String
    b: String!
    n: Node
    nn: Node!
    l: [Node]
    lnn: [Node!]
    lNN: [Node]!
    lnnNN: [Node!]!
    leaves: [String]
    leavesNN: [String!]
    u: U
    unn: U!
  }
  union U = X | Y
  type X { x: String! n: Node }
  type Y { y: String yn: Node! }
`);

type Behaviour = "value" | "promise" | "throw" | "reject" | "null" | "promisedNull";
const behaviours: Behaviour[] = ["value", "value", "value", "value", "promise", "promise", "throw", "reject", "null", "promisedNull"];

/** The data for one query: every position's behaviour is a function of its key and the query's salt. */
function rootFor(salt: number) {
  const behaviour = (key: string) => behaviours[saltedHash(key, salt) % behaviours.length]!;
  const produce = (key: string, value: () => unknown): unknown => {
    switch (behaviour(key)) {
      case "value":
        return value();
      case "promise":
        return Promise.resolve(value());
      case "throw":
        throw new Error(`thrown at ${key}`);
      case "reject":
        return Promise.reject(new Error(`rejected at ${key}`));
      case "null":
        return null;
      case "promisedNull":
        return Promise.resolve(null);
    }
  };
  const node = (id: string, depth: number): Record<string, unknown> => {
    const child = (k: string) => (depth > 3 ? null : node(`${id}.${k}`, depth + 1));
    const item = (k: string) => {
      const b = behaviour(`${id}.${k}#item`);
      return b === "null" ? null : b === "promise" ? Promise.resolve(child(k)) : b === "reject" ? Promise.reject(new Error(`item rejected at ${id}.${k}`)) : child(k);
    };
    const list = (k: string) => () => [item(`${k}0`), item(`${k}1`), item(`${k}2`)];
    const union = (k: string) => () =>
      depth > 3
        ? null
        : {
            __typename: saltedHash(`${id}.${k}`, salt) % 2 === 0 ? "X" : "Y",
            x: () => produce(`${id}.${k}.x`, () => "x"),
            y: "y",
            n: () => child(`${k}.n`),
            yn: () => produce(`${id}.${k}.yn`, () => child(`${k}.yn`)),
          };
    const out: Record<string, unknown> = {};
    for (const f of ["a", "b"]) out[f] = () => produce(`${id}.${f}`, () => `${id}.${f}`);
    for (const f of ["n", "nn"]) out[f] = () => produce(`${id}.${f}`, () => child(f));
    for (const f of ["l", "lnn", "lNN", "lnnNN"]) out[f] = () => produce(`${id}.${f}`, list(f));
    out.leaves = () => produce(`${id}.leaves`, () => ["s", Promise.resolve("t"), null]);
    out.leavesNN = () => produce(`${id}.leavesNN`, () => ["s", saltedHash(id, salt) % 3 === 0 ? Promise.reject(new Error(`leaf rejected at ${id}`)) : "u"]);
    for (const f of ["u", "unn"]) out[f] = () => produce(`${id}.${f}`, union(f));
    return out;
  };
  return { root: () => node("r", 0), rootNN: () => node("q", 0) };
}

/** A seeded generator of selection sets. */
function selectionGenerator(seed: number) {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const selection = (depth: number): string => {
    const fields: string[] = [];
    const count = 1 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const f = pick(["a", "b", "n", "nn", "l", "lnn", "lNN", "lnnNN", "leaves", "leavesNN", "u", "unn"] as const);
      if (f === "a" || f === "b" || f === "leaves" || f === "leavesNN") fields.push(`${f}${i}: ${f}`);
      else if (f === "u" || f === "unn")
        fields.push(depth >= 2 ? `${f}${i}: ${f} { __typename }` : `${f}${i}: ${f} { __typename ... on X { x n { ${selection(depth + 1)} } } ... on Y { y yn { ${selection(depth + 1)} } } }`);
      else fields.push(depth >= 2 ? `${f}${i}: ${f} { a }` : `${f}${i}: ${f} { ${selection(depth + 1)} }`);
    }
    return fields.join(" ");
  };
  return () => `{ root { ${selection(0)} } r2: rootNN { ${selection(0)} } }`;
}

const cases: ParityCase[] = [];
const generate = selectionGenerator(20240611);
for (let i = 0; i < 120; i++) {
  cases.push({ name: `random query ${i}`, query: generate(), rootValue: rootFor(i), knownDifference: "sync-abort" });
}

registerCases(test, schema, cases);

test.run();
