import { createServer } from "node:http";
import { createYoga } from "graphql-yoga";
import { useEngine } from "@envelop/core";
import { makeSchema, execute, subscribe } from "graphscale";
import { each } from "graphscale/steps";
import { Kvetch, defineSchema, memoryBackend, loadObject, loadEdges } from "graphscale/kvetch";

// The store: users own lists; the user_to_list edge follows each list's userId.
const store = defineSchema({
  objects: [{ name: "User", typeId: 1 }, { name: "List", typeId: 2 }],
  edges: [{ name: "user_to_list", edgeId: 1, fromType: "User", storedIdAttr: "userId", storedOnType: "List" }],
});
const kvetch = new Kvetch({ schema: store, backend: memoryBackend({ shards: 4 }) });
const ada = await kvetch.createObject("User", { name: "Ada" });
for (const name of ["Groceries", "Books"]) await kvetch.createObject("List", { userId: ada.id, name });

// Plans run once per operation and build steps; each step runs once per layer for the whole batch.
const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { user(id: ID!): User }
    type User { id: ID! name: String lists(first: Int = 10): [List!]! }
    type List { id: ID! name: String }`,
  plans: {
    Query: { user: (_$root, args) => loadObject("User", args.get("id")) },
    User: { lists: ($user, args) => each(loadEdges("user_to_list", $user.get("id"), { first: args.get("first") }), ($edge) => loadObject("List", $edge.get("toId"))) },
  },
});

const yoga = createYoga({ schema, plugins: [useEngine({ execute, subscribe })], context: () => ({ kvetch }) });
const server = createServer(yoga).listen(Number(process.env.PORT ?? 4000), () => {
  console.log(`query { user(id: "${ada.id}") { name lists { name } } } at http://localhost:${server.address().port}/graphql`);
});
