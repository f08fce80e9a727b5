// A property read inline by the output (InlinePropertyReads, spec/planning.md) gives what its step would
// have given: a promise in the property is awaited, and a getter that throws is that field's error — with
// and without a sibling field that keeps the read a step of its own, compiled and interpretive, and the same
// as graphql-js's default resolvers over the same data.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse } from "graphql";
import { execute, executeToJSON, makeSchema } from "../../src/index.js";
import { constant, context, each, lambda } from "../../steps/index.js";

const typeDefs = `type Query { one: Obj list: [Obj] } type Obj { n: Int nn: Int! other: Int }`;

/** Fresh data per run: `n` is a promise, or a getter that throws. */
function objectOf(kind: "promised" | "throwing"): Record<string, unknown> {
  if (kind === "promised") return { n: Promise.resolve(7), nn: 1 };
  return {
    get n(): number {
      throw new Error("getter boom");
    },
    nn: 5,
  };
}

const plannedSchema = (kind: "promised" | "throwing") =>
  makeSchema({
    typeDefs,
    plans: {
      Query: { one: () => constant(objectOf(kind)), list: () => constant([objectOf(kind)]) },
      // `other` reads `n` through a step: with it selected, `n`'s read is not inlined.
      Obj: { other: ($o: any) => lambda($o.get("n"), (n: unknown) => (typeof n === "number" ? n + 100 : -1)) },
    } as any,
  });

const reference = buildSchema(typeDefs);
const queries = [`{ one { n nn } }`, `{ list { n nn } }`, `{ one { n nn other } }`];

for (const kind of ["promised", "throwing"] as const) {
  test(`an inline read of a ${kind} property gives what graphql-js gives (compiled and interpretive)`, async () => {
    for (const query of queries) {
      // graphql-js has no `other` plan; its default resolver gives the property, which is all we compare.
      const expected = await graphqlExecute({
        schema: reference,
        document: parse(query.replace(" other", "")),
        rootValue: { one: objectOf(kind), list: [objectOf(kind)] },
      });
      for (const compileOutput of [true, false]) {
        const result = JSON.parse(JSON.stringify(await execute({ schema: plannedSchema(kind), document: parse(query), compileOutput })));
        if (query.includes("other")) {
          const object = result.data.one;
          delete object.other;
          const errors = (result.errors ?? []).filter((error: { path: unknown[] }) => error.path[1] !== "other");
          if (errors.length === 0) delete result.errors;
          else result.errors = errors;
        }
        assert.equal(result, JSON.parse(JSON.stringify(expected)), `${query}, compileOutput ${compileOutput}`);
      }
    }
  });
}

test("a global read inlined below a walked list (context().get, $root.get) gives its value on every request, compiled and not", async () => {
  for (const compileOutput of [true, false]) {
    const schema = makeSchema({
      typeDefs: `type Query { xs: [String] items: [Item] } type Item { id: ID who: String }`,
      plans: {
        Query: { xs: ($root: any) => each(constant([1, 2]), () => $root.get("id")), items: () => constant([{ id: "a" }, { id: "b" }]) },
        Item: { who: () => context().get("who") },
      },
      compileOutput,
    });
    for (const [query, expected] of [
      ["{ xs }", { data: { xs: ["r", "r"] } }],
      ["{ items { id who } }", { data: { items: [{ id: "a", who: "me" }, { id: "b", who: "me" }] } }],
    ] as const) {
      const args = { schema, document: parse(query), rootValue: { id: "r" }, contextValue: { who: "me" } };
      // The first request is built by the interpretive output; the plan's compiled output serves the later ones.
      for (let run = 1; run <= 3; run++) assert.equal(JSON.parse(JSON.stringify(await execute(args))), expected, `${query}, run ${run}, compileOutput ${compileOutput}`);
      assert.equal(JSON.parse(await executeToJSON(args)), expected, `${query} as JSON text`);
    }
  }
});

test.run();
