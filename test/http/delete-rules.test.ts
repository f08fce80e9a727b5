// A restrict over real HTTP, through the README's graphql-http and GraphQL Yoga snippets: deleting a member that
// still has loans reaches the client with the message naming the edge and count and extensions.code
// RESTRICTED (not "Unexpected error"), and nothing is deleted; a cascade through the same server then
// deletes the loans. Uses the package as built (dist/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveWithGraphqlHttp } from "../../examples/http/graphqlHttp.js";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { post } from "./post.js";

const { schema, kvetchSchema } = makeKvetchSchema({
  typeDefs: /* GraphQL */ `
    type Query { member(id: ID!): Member @readObject }
    type Mutation {
      createMember: Member @createObject
      createShelf: Shelf @createObject
      createLoan: Loan @createObject
      deleteMember(id: ID!): Boolean @deleteObject(type: "Member")
      deleteShelf(id: ID!): Boolean @deleteObject(type: "Shelf")
    }
    type Member @object(typeId: 1) {
      id: ID!
      name: String
      loans: [Loan!]! @edgeFromStoredId(name: "member_loans", edgeId: 1, attr: "memberId", onDelete: "restrict")
    }
    type Shelf @object(typeId: 2) {
      id: ID!
      label: String
      loans: [Loan!]! @edgeFromStoredId(name: "shelf_loans", edgeId: 2, attr: "shelfId", onDelete: "cascade")
    }
    type Loan @object(typeId: 3) { id: ID! member: Member @edgeFromStoredId(attr: "memberId") shelf: Shelf @edgeFromStoredId(attr: "shelfId") }
  `,
});

const servers: Array<[string, typeof serveWithGraphqlHttp]> = [
  ["graphql-http", serveWithGraphqlHttp],
  ["GraphQL Yoga", serveWithYoga],
];

for (const [name, serve] of servers) {
  test(`${name}: a restricted delete reaches the client with its message and code RESTRICTED; nothing is deleted`, async () => {
    const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
    const server = serve(schema, kvetch, 0);
    try {
      const ask = async (query: string, variables?: Record<string, unknown>) => (await post(server, { query, variables })).json;
      const member = (await ask(`mutation { createMember(input: { name: "ada" }) { id } }`)).data.createMember.id as string;
      const shelfId = (await ask(`mutation { createShelf(input: { label: "A" }) { id } }`)).data.createShelf.id as string;
      for (let i = 0; i < 3; i++) await ask(`mutation ($m: ID!, $s: ID!) { createLoan(input: { memberId: $m, shelfId: $s }) { id } }`, { m: member, s: shelfId });
      const { status, json } = await post(server, { query: `mutation ($id: ID!) { deleteMember(id: $id) }`, variables: { id: member } });
      assert.is(status, 200, JSON.stringify(json));
      assert.is(json.errors?.length, 1, JSON.stringify(json));
      assert.is(json.errors[0].message, `Kvetch: deleteObjects: Member ${member} still has 3 Loan children through edge "member_loans" (onDelete: "restrict"); delete them or clear their memberId first; nothing was deleted`);
      assert.is(json.errors[0].extensions?.code, "RESTRICTED", JSON.stringify(json));
      assert.equal((await ask(`query ($id: ID!) { member(id: $id) { loans { id } } }`, { id: member })).data.member.loans.length, 3);
      assert.equal(await ask(`mutation ($id: ID!) { deleteShelf(id: $id) }`, { id: shelfId }), { data: { deleteShelf: true } });
      assert.equal(await ask(`mutation ($id: ID!) { deleteMember(id: $id) }`, { id: member }), { data: { deleteMember: true } });
    } finally {
      server.close();
    }
  });
}

test.run();
