// maxDepth and maxCost below type conditions (unions, fields only implementations have), on introspection,
// and for fields whose type nests lists: each counts as the same selection on a plain object field would.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { getIntrospectionQuery, parse, type ExecutionResult } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { constant } from "../../steps/index.js";

function messages(result: ExecutionResult): string[] {
  return (result.errors ?? []).map((e) => e.message);
}

/** A user whose friends are itself, reachable as a plain field, through an interface and through a union. */
function userSchema() {
  const calls = { friends: 0 };
  const u: { id: string; friends?: unknown[]; me?: unknown } = { id: "1" };
  u.friends = [u, u];
  u.me = u;
  const schema = makeSchema({
    typeDefs: `
      type Query { user: User thing: Thing any: Any }
      interface Thing { id: ID! }
      union Any = User | Other
      type Other { id: ID! friends(first: Int): [Other] }
      type User implements Thing { id: ID! friends(first: Int): [User] me: User }
    `,
    resolvers: {
      Thing: { __resolveType: () => "User" },
      Any: { __resolveType: () => "User" },
      User: { friends: (x: typeof u) => (calls.friends++, x.friends), me: (x: typeof u) => x.me },
    },
    plans: { Query: { user: () => constant(u), thing: () => constant(u), any: () => constant(u) } },
  });
  return { schema, calls };
}

const nest = (n: number, field: string): string => (n === 0 ? "id" : `${field} { ${nest(n - 1, field)} }`);

test("limits: maxDepth counts the fields under a union's and an interface's type conditions and named fragments", () => {
  const { schema } = userSchema();
  for (const source of [
    `{ user { ${nest(10, "me")} } }`,
    `{ any { ... on User { ${nest(10, "me")} } } }`,
    `{ thing { ... on User { ${nest(10, "me")} } } }`,
    `{ thing { ...F } } fragment F on User { ${nest(10, "me")} }`,
  ]) {
    const result = execute({ schema, document: parse(source), limits: { maxDepth: 5 } }) as ExecutionResult;
    assert.equal(messages(result), ["The query is nested deeper than the limit of 5 levels (maxDepth)."], source);
    assert.is(result.data, undefined);
  }
  const shallow = execute({ schema, document: parse(`{ any { ... on User { ${nest(3, "me")} } } }`), limits: { maxDepth: 5 } }) as ExecutionResult;
  assert.is(shallow.errors, undefined, "any, me, me, me, id: 5 levels");
});

test("limits: maxCost counts the lists under type conditions, each fragment's field with its own page size", () => {
  const { schema, calls } = userSchema();
  const refused = ["The query's estimated cost is 1,001,001,002 field resolutions; the limit is 1,000 (maxCost). Ask for smaller pages (first/last)."];
  for (const source of [
    `{ user { ${nest(3, "friends(first: 1000)")} } }`,
    `{ any { ... on User { ${nest(3, "friends(first: 1000)")} } } }`,
    `{ thing { ... on User { ${nest(3, "friends(first: 1000)")} } } }`,
  ]) {
    const result = execute({ schema, document: parse(source), limits: { maxCost: 1_000 } }) as ExecutionResult;
    assert.equal(messages(result), refused, source);
  }
  // One response key, two members' fields: 1 (any) + 1 (friends) + 1000 + 5 (their ids), an upper bound.
  const split = `{ any { ... on Other { friends(first: 1000) { id } } ... on User { friends(first: 5) { id } } } }`;
  const result = execute({ schema, document: parse(split), limits: { maxCost: 1_000 } }) as ExecutionResult;
  assert.equal(messages(result), ["The query's estimated cost is 1,007 field resolutions; the limit is 1,000 (maxCost). Ask for smaller pages (first/last)."]);
  assert.is(calls.friends, 0, "nothing resolved");
});

test("limits: introspection fields count toward maxDepth and maxCost; its lists count the schema's own sizes", () => {
  const { schema } = userSchema();
  const deep = `{ __schema { types { ${nest(5, "fields { type").replace(/id/, "name")}${" }".repeat(5)} } } }`;
  const tooDeep = execute({ schema, document: parse(deep), limits: { maxDepth: 4 } }) as ExecutionResult;
  assert.equal(messages(tooDeep), ["The query is nested deeper than the limit of 4 levels (maxDepth)."]);
  const viaType = execute({ schema, document: parse(`{ __type(name: "User") { ${nest(4, "fields { type").replace(/id/, "name")}${" }".repeat(4)} } }`), limits: { maxDepth: 4 } }) as ExecutionResult;
  assert.equal(messages(viaType), ["The query is nested deeper than the limit of 4 levels (maxDepth)."]);
  // __schema, types, and a name per type of the schema (introspection's own types included).
  const types = Object.keys(schema.getTypeMap()).length;
  const names = parse(`{ __schema { types { name } } }`);
  const over = execute({ schema, document: names, limits: { maxCost: types + 1 } }) as ExecutionResult;
  assert.equal(messages(over), [`The query's estimated cost is ${types + 2} field resolutions; the limit is ${types + 1} (maxCost). Ask for smaller pages (first/last).`]);
  const within = execute({ schema, document: names, limits: { maxCost: types + 2 } }) as ExecutionResult;
  assert.is(within.errors, undefined);
  const recursive = execute({ schema, document: parse(deep), limits: { maxCost: 10_000 } }) as ExecutionResult;
  assert.match(messages(recursive)[0]!, /^The query's estimated cost is [\d,]+ field resolutions; the limit is 10,000 \(maxCost\)/);
  // The full introspection query stays within the default limits.
  const full = execute({ schema, document: parse(getIntrospectionQuery({ specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true })) }) as ExecutionResult;
  assert.is(full.errors, undefined);
  assert.is((full.data as { __schema: { types: unknown[] } }).__schema.types.length, types);
});

test("limits: each list level of a field's type counts: [[[O]]] is defaultListSize³, a page size sizes the outermost", () => {
  const schema = makeSchema({
    typeDefs: `type Query { grid: [[[O]]] pages(first: Int): [[O]] } type O { n: Int }`,
    plans: { Query: { grid: () => constant([[[{ n: 1 }]]]), pages: () => constant([[{ n: 1 }]]) } },
  });
  const grid = parse(`{ grid { n } }`);
  const refused = execute({ schema, document: grid, limits: { maxCost: 150 } }) as ExecutionResult;
  assert.equal(messages(refused), ["The query's estimated cost is 1,000,001 field resolutions; the limit is 150 (maxCost). Ask for smaller pages (first/last)."]);
  // The same plan, cached, under a request's smaller defaultListSize: 1 + 2³.
  const small = execute({ schema, document: grid, limits: { maxCost: 9, defaultListSize: 2 } }) as ExecutionResult;
  assert.is(small.errors, undefined);
  assert.equal(small.data, { grid: [[[{ n: 1 }]]] });
  const tooSmall = execute({ schema, document: grid, limits: { maxCost: 8, defaultListSize: 2 } }) as ExecutionResult;
  assert.equal(messages(tooSmall), ["The query's estimated cost is 9 field resolutions; the limit is 8 (maxCost). Ask for smaller pages (first/last)."]);
  // first: 3 sizes the outer list, the inner one counts defaultListSize: 1 + 3 · 100.
  for (const [source, variableValues] of [[`{ pages(first: 3) { n } }`, {}], [`query($n: Int) { pages(first: $n) { n } }`, { n: 3 }]] as const) {
    const paged = execute({ schema, document: parse(source), variableValues, limits: { maxCost: 300 } }) as ExecutionResult;
    assert.equal(messages(paged), ["The query's estimated cost is 301 field resolutions; the limit is 300 (maxCost). Ask for smaller pages (first/last)."], source);
  }
});

test.run();
