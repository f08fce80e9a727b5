// Unknown Kvetch names fail when the plan is built (Step.validatePlan against the schema's plan context),
// naming the unknown name and the known ones, and nothing of that field runs: no store call, no write.
// Without a plan context the store's schema catches them when the step executes — never a silent null.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, explainPlan, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { first } from "../../steps/index.js";
import { Kvetch, createObject, defineSchema, edgeCount, loadEdges, loadObject, memoryBackend, queryIndex } from "../../steps/kvetch/index.js";

const kvetchSchema = defineSchema({
  objects: [
    { name: "Author", typeId: 1 },
    { name: "Post", typeId: 2 },
  ],
  edges: [{ name: "author_to_post", edgeId: 1, storedIdAttr: "authorId", storedOnType: "Post" }],
  indexes: [{ name: "author_by_name", indexId: 1, indexedType: "Author", indexedAttr: "name" }],
});

const typeDefs = /* GraphQL */ `
  type Query { author(id: ID!): Author byName(name: String!): Author posts(id: ID!): [Post!] count(id: ID!): Int }
  type Mutation { newAuthor(name: String!): Author }
  type Author { id: ID! name: String }
  type Post { id: ID! title: String }
`;

function schemaWith(planContext: Record<string, unknown> | undefined) {
  return makeSchema({
    typeDefs,
    planContext,
    plans: {
      Query: {
        author: (_$root: Step, args: FieldArgs) => loadObject("Autor", args.get("id")),
        byName: (_$root: Step, args: FieldArgs) => loadObject("Author", first(queryIndex("nope", args.get("name"))).get("targetId")),
        posts: (_$root: Step, args: FieldArgs) => loadEdges("author_to_postz", args.get("id")),
        count: (_$root: Step, args: FieldArgs) => edgeCount("author_to_postz", args.get("id")),
      },
      Mutation: { newAuthor: (_$root: Step, args: FieldArgs) => createObject("Autor", { name: args.get("name") }) },
    },
  });
}

async function store() {
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const author = await kvetch.createObject("Author", { name: "Ada" });
  kvetch.resetCounters();
  return { kvetch, author };
}

test("plan time: loadObject, loadEdges, queryIndex and edgeCount with unknown names are field errors naming the known names; no store call", async () => {
  const { kvetch, author } = await store();
  const schema = schemaWith({ kvetchSchema });
  const query = `query ($id: ID!) { author(id: $id) { name } byName(name: "Ada") { name } posts(id: $id) { id } count(id: $id) }`;
  const result = await execute({ schema, document: parse(query), variableValues: { id: author.id }, contextValue: { kvetch } });
  assert.equal(JSON.parse(JSON.stringify(result.data)), { author: null, byName: null, posts: null, count: null });
  const messages = Object.fromEntries(result.errors!.map((e) => [e.path![0], e.message]));
  assert.equal(messages, {
    author: `Kvetch: loadObject("Autor"): unknown object type "Autor"; the schema defines "Author", "Post"`,
    byName: `Kvetch: queryIndex("nope"): unknown index "nope"; the schema defines "author_by_name"`,
    posts: `Kvetch: loadEdges("author_to_postz"): unknown edge "author_to_postz"; the schema defines "author_to_post"`,
    count: `Kvetch: edgeCount("author_to_postz"): unknown edge "author_to_postz"; the schema defines "author_to_post"`,
  });
  assert.is(kvetch.counters.calls, 0);
});

test("plan time: the rejected field's steps are removed from the plan (explain shows only the planning error)", () => {
  const { json } = explainPlan(schemaWith({ kvetchSchema }), parse(`{ author(id: "x") { name } }`));
  assert.equal(json.steps.map((s) => s.class).filter((c) => c.startsWith("Load")), []);
  assert.is(json.steps.filter((s) => s.class === "PlanningError").length, 1);
});

test("plan time: a write step with an unknown type writes nothing", async () => {
  const { kvetch } = await store();
  const result = await execute({ schema: schemaWith({ kvetchSchema }), document: parse(`mutation { newAuthor(name: "B") { id } }`), contextValue: { kvetch } });
  assert.is(result.errors![0]!.message, `Kvetch: createObject("Autor"): unknown object type "Autor"; the schema defines "Author", "Post"`);
  assert.is(kvetch.counters.calls, 0);
  assert.is((await kvetch.stats()).reduce((n, s) => n + s.objects, 0), 1);
});

test("run time, no plan context: loadObject of an unknown type on an existing id is an error, not a silent null", async () => {
  const { kvetch, author } = await store();
  const result = await execute({ schema: schemaWith(undefined), document: parse(`query ($id: ID!) { author(id: $id) { name } }`), variableValues: { id: author.id }, contextValue: { kvetch } });
  assert.is(result.errors!.length, 1);
  assert.match(result.errors![0]!.message, /unknown object type "Autor"; the schema defines "Author", "Post"/);
});

test.run();
