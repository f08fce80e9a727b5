// Default field plans (spec/planning.md, DefaultFieldPlan): under a planned parent, a field with neither a
// plan nor a `resolve` reads `$parent.get(fieldName)` — a Kvetch object reads its data bag, `id` is the
// object's id — as one access step per layer, never a per-entry resolver. Resolver parents keep graphql-js's
// default resolver.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, explainPlan, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { constant, each } from "../../steps/index.js";
import { Kvetch, defineSchema, loadEdges, loadObject, memoryBackend } from "../../steps/kvetch/index.js";

const blogKvetch = defineSchema({
  objects: [
    { name: "Author", typeId: 1 },
    { name: "Post", typeId: 2 },
  ],
  edges: [{ name: "author_to_post", edgeId: 1, fromType: "Author", storedIdAttr: "authorId", storedOnType: "Post" }],
});

// Only the fields that load something have plans: no plan for id, name, title, body, published.
const blogSchema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { author(id: ID!): Author }
    type Author { id: ID! name: String posts(first: Int = 10): [Post!]! }
    type Post { id: ID! title: String body: String published: Boolean author: Author }
  `,
  plans: {
    Query: { author: (_$root: Step, args: FieldArgs) => loadObject("Author", args.get("id")) },
    Author: {
      posts: ($author: Step, args: FieldArgs) =>
        each(loadEdges("author_to_post", $author.get("id"), { first: args.get("first") }), ($edge) => loadObject("Post", $edge.get("toId"))),
    },
    Post: { author: ($post: Step) => loadObject("Author", $post.get("authorId")) },
  },
});

const blogQuery = `query ($id: ID!) { author(id: $id) { id name posts { id title body published author { name } } } }`;

async function seededBlog() {
  const kvetch = new Kvetch({ schema: blogKvetch, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const author = await kvetch.createObject("Author", { name: "Ada" });
  const posts = [];
  for (let i = 1; i <= 3; i++) posts.push(await kvetch.createObject("Post", { authorId: author.id, title: `Post ${i}`, body: `Body ${i}`, published: i !== 2 }));
  kvetch.resetCounters();
  return { kvetch, author, posts };
}

test("blog without scalar plans: every stored value comes back (not null), in 4 store calls", async () => {
  const { kvetch, author, posts } = await seededBlog();
  const result = await execute({ schema: blogSchema, document: parse(blogQuery), variableValues: { id: author.id }, contextValue: { kvetch } });
  assert.is(result.errors, undefined);
  const data = JSON.parse(JSON.stringify(result.data));
  assert.is(data.author.id, author.id);
  assert.is(data.author.name, "Ada");
  assert.is(data.author.posts.length, 3);
  const byTitle = new Map(data.author.posts.map((p: { title: string }) => [p.title, p]));
  for (let i = 1; i <= 3; i++) {
    const post = byTitle.get(`Post ${i}`) as Record<string, unknown>;
    assert.ok(post, `Post ${i} is in the result`);
    assert.equal(post, { id: posts[i - 1]!.id, title: `Post ${i}`, body: `Body ${i}`, published: i !== 2, author: { name: "Ada" } });
  }
  // author, post edges, posts (fused behind the edges), the posts' authors
  assert.is(kvetch.counters.calls, 4);
});

test("blog without scalar plans: explain shows no Resolver step, one Access step per field per layer", () => {
  const { json } = explainPlan(blogSchema, parse(blogQuery));
  const classes = json.steps.map((s) => s.class);
  assert.is(classes.filter((c) => c === "Resolver").length, 0, classes.join(", "));
  const accesses = json.steps.filter((s) => s.class === "Access").map((s) => s.meta);
  const count = (path: string) => accesses.filter((m) => m === path).length;
  for (const path of ["data.title", "data.body", "data.published"]) assert.is(count(path), 1, `${path} in ${accesses.join(" | ")}`);
  assert.is(count("data.name"), 2); // Author.name at the root and under each post
  // … and LoadedId: the posts' edges are keyed by the id the author was loaded by; literal page arguments are constants.
  assert.is(json.steps.length, 20, classes.join(", "));
});

test("default plan: plain objects from a plan are read by property, nested objects too; `resolve` still wins", () => {
  let calls = 0;
  const schema = makeSchema({
    typeDefs: `type Query { me: User } type User { name: String address: Address shout: String } type Address { city: String }`,
    plans: { Query: { me: () => constant({ name: "Ada", address: { city: "London" }, shout: "x" }) } },
    resolvers: { User: { shout: (user: { name: string }) => (calls++, user.name.toUpperCase()) } },
  });
  const document = parse("{ me { name address { city } shout } }");
  return Promise.resolve(execute({ schema, document })).then((result) => {
    assert.equal(JSON.parse(JSON.stringify(result)), { data: { me: { name: "Ada", address: { city: "London" }, shout: "ADA" } } });
    assert.is(calls, 1);
    const classes = explainPlan(schema, document).json.steps.map((s) => s.class);
    assert.is(classes.filter((c) => c === "Resolver").length, 1); // only User.shout
  });
});

test("default plan: an unplanned root field keeps graphql-js's default resolver (a root value method is called)", async () => {
  const schema = makeSchema({ typeDefs: `type Query { hello(name: String): String user: User } type User { name: String }` });
  const rootValue = { hello: (args: { name: string }) => `hello ${args.name}`, user: { name: () => "called" } };
  const result = await execute({ schema, document: parse(`{ hello(name: "x") user { name } }`), rootValue });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { hello: "hello x", user: { name: "called" } } });
});

test.run();
