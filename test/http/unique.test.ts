// A unique violation over real HTTP: the README's graphql-http and GraphQL Yoga snippets (examples/http) serving
// an annotated SDL with @index(unique: true) on a memory store. A second member with a taken email (create, then
// update) reaches the client with its message and extensions.code UNIQUE_VIOLATION — not "Unexpected error" —
// and stores nothing. Uses the package as built (dist/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveWithGraphqlHttp } from "../../examples/http/graphqlHttp.js";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { post } from "./post.js";

const typeDefs = /* GraphQL */ `
  type Query {
    member(id: ID!): Member @readObject
  }
  type Mutation {
    createMember: Member @createObject
    updateMember: Member @updateObject
  }
  type Member @object(typeId: 1) {
    id: ID!
    email: String! @index(name: "member_email", indexId: 1, unique: true)
  }
`;

const servers: Array<[string, typeof serveWithGraphqlHttp]> = [
  ["graphql-http", serveWithGraphqlHttp],
  ["GraphQL Yoga", serveWithYoga],
];

for (const [name, serve] of servers) {
  test(`${name}: a taken email reaches the client as UNIQUE_VIOLATION with its message, on create and on update; nothing stored`, async () => {
    const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs });
    const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
    await kvetch.migrate();
    const server = serve(schema, kvetch, 0);
    try {
      const create = `mutation ($email: String!) { createMember(input: { email: $email }) { id email } }`;
      const ann = await post(server, { query: create, variables: { email: "ann@example.com" } });
      const annId = ann.json.data.createMember.id as string;
      const again = await post(server, { query: create, variables: { email: "ann@example.com" } });
      const bob = await post(server, { query: create, variables: { email: "bob@example.com" } });
      const bobId = bob.json.data.createMember.id as string;
      const update = await post(server, { query: `mutation ($id: ID!) { updateMember(id: $id, input: { email: "ann@example.com" }) { id } }`, variables: { id: bobId } });
      for (const { status, json } of [again, update]) {
        assert.is(status, 200, JSON.stringify(json));
        assert.is(json.errors?.length, 1, JSON.stringify(json));
        assert.is(json.errors[0].extensions?.code, "UNIQUE_VIOLATION", JSON.stringify(json));
        assert.match(json.errors[0].message, /Member\.email "ann@example\.com" is taken: unique index "member_email" allows one Member per value/);
        assert.not.match(json.errors[0].message, /Unexpected error/);
        assert.not.ok(json.errors[0].message.includes(annId), "never the owner's id");
      }
      assert.is((await kvetch.stats()).reduce((n, shard) => n + shard.objects, 0), 2);
      assert.is((await kvetch.getObject(bobId))!.data.email, "bob@example.com");
    } finally {
      server.close();
    }
  });
}

test.run();
