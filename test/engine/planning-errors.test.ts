// Plans that cannot be built end the request with an error result, never a throw out of execute or a hang:
// a step from another operation's plan, a deduplicate() hook returning a step that is not a peer; a bad
// access path is that field's planning error, and a branch whose directive cannot be read when its type
// arrives (partial planning) fails the objects of that type, as graphql-js fails them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLInterfaceType, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, execute as graphqlJsExecute, parse, versionInfo, type ExecutionResult } from "graphql";
import { execute, executeToJSON, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { access, constant } from "../../steps/index.js";

const json = (value: unknown): ExecutionResult => JSON.parse(JSON.stringify(value)) as ExecutionResult;

test("a step shared between two operations' plans: an error result naming it, for execute and executeToJSON", async () => {
  const shared = constant("shared");
  const schema = makeSchema({ typeDefs: `type Query { a: String b: String }`, plans: { Query: { a: () => shared, b: () => shared } } });
  assert.equal(json(await execute({ schema, document: parse(`{ a }`) })), { data: { a: "shared" } });
  const results = [json(await execute({ schema, document: parse(`{ b }`) })), JSON.parse(await executeToJSON({ schema, document: parse(`{ b }`) })) as ExecutionResult];
  for (const result of results) {
    assert.is(result.data, null);
    assert.match(result.errors![0]!.message, /Constant\[1<"shared">\] belongs to another operation's plan/);
  }
});

test("deduplicate() returning the step itself: an error result naming the hook, not a hang", async () => {
  class Echo extends Step<string> {
    constructor($x: Step) {
      super();
      this.addDependency($x);
    }
    execute({ values: [xs] }: ExecutionDetails): string[] {
      return (xs as unknown[]).map((x) => `echo ${String(x)}`);
    }
    override deduplicate(): readonly Step[] {
      return [this];
    }
  }
  const schema = makeSchema({
    typeDefs: `type Query { a: String b: String }`,
    plans: { Query: { a: ($r: Step) => new Echo($r.get("x")), b: ($r: Step) => new Echo($r.get("x")) } },
  });
  const result = json(await execute({ schema, document: parse(`{ a b }`), rootValue: { x: 1 } }));
  assert.is(result.data, null);
  assert.match(result.errors![0]!.message, /Echo\[\d+\]\.deduplicate\(\) returned Echo\[\d+\], which is not one of the peers/);
});

test("a branch planned as its type arrives whose @include cannot be read: graphql-js's result, the error at that item", async () => {
  const I = new GraphQLInterfaceType({ name: "I", fields: { id: { type: GraphQLString } }, resolveType: (v: { k: string }) => v.k });
  const A = new GraphQLObjectType({ name: "A", interfaces: [I], fields: { id: { type: GraphQLString } } });
  const C = new GraphQLObjectType({ name: "C", interfaces: [I], fields: { id: { type: GraphQLString }, only: { type: GraphQLString } } });
  const items = [
    { k: "A", id: "a" },
    { k: "C", id: "c", only: "o" },
  ];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { items: { type: new GraphQLList(I), resolve: () => items } } }),
    types: [A, C],
  });
  const document = parse(`query ($v: Boolean = true) { items { id ... on C { only @include(if: $v) } } }`);
  const result = json(await execute({ schema, document, variableValues: { v: null } }));
  assert.equal(result, json(await graphqlJsExecute({ schema, document, variableValues: { v: null } })));
  assert.equal(result.data, { items: [{ id: "a" }, null] });
  assert.equal(
    result.errors!.map((e) => [e.message, e.path]),
    // graphql-js's own message for it, which graphql 17 words differently
    [[versionInfo.major === 16 ? 'Argument "if" of non-null type "Boolean!" must not be null.' : 'Argument "@include(if:)" has invalid value: Expected variable "$v" provided to non-null type "Boolean!" not to be null.', ["items", 1]]],
  );
});

test("access with a path that is not a key: that field's planning error; the other fields run", async () => {
  const schema = makeSchema({
    typeDefs: `type Query { ok: String bad: String }`,
    plans: { Query: { ok: () => constant("fine"), bad: ($r: Step) => access($r, null as never) } },
  });
  const result = json(await execute({ schema, document: parse(`{ ok bad }`) }));
  assert.equal(result.data, { ok: "fine", bad: null });
  assert.equal(result.errors!.map((e) => [e.message, e.path]), [["access: the path must be a property name, an index, or a list of them; got null", ["bad"]]]);
});

test.run();
