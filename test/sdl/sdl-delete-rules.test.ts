// Delete rules in annotated SDL: @edgeFromStoredId(onDelete: ...) declares them (a bad value or a misplaced one
// is a located schema-build error), the generated @deleteObject mutation follows them — a restrict reaches the
// client as an error with extensions.code RESTRICTED, a cascade deletes the children — and `schema print` and
// typegen show them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { graphql } from "../../src/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend } from "../../steps/kvetch/index.js";
import { describeKvetchSchema } from "../../steps/kvetch/cli/schemaCommands.js";
import { typegen } from "../../steps/kvetch/cli/typegen.js";
import { locatedIn } from "./located.js";

const librarySdl = /* GraphQL */ `
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
  type Loan @object(typeId: 3) {
    id: ID!
    member: Member @edgeFromStoredId(attr: "memberId")
    shelf: Shelf @edgeFromStoredId(attr: "shelfId")
  }
`;

test("@edgeFromStoredId(onDelete): the Kvetch schema has the rules; schema print and typegen show them", () => {
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: librarySdl });
  assert.equal(kvetchSchema.edges.map((e) => [e.name, e.onDelete]), [["member_loans", "restrict"], ["shelf_loans", "cascade"]]);
  assert.match(describeKvetchSchema(kvetchSchema), "edge member_loans (edgeId 1): Member -> Loan, derived from Loan.memberId, onDelete restrict");
  assert.match(typegen(schema, kvetchSchema), 'export type DeleteRules = {\n  member_loans: "restrict";\n  shelf_loans: "cascade";\n};');
  assert.not.match(typegen(schema, null), "DeleteRules");
});

test("a bad onDelete, or one where no edge is declared, is a schema-build error at the directive", () => {
  const bad = librarySdl.replace('onDelete: "cascade"', 'onDelete: "nullify"');
  assert.throws(
    () => makeKvetchSchema({ typeDefs: bad }),
    (error: Error) => error.message === `makeKvetchSchema: Shelf.loans: @edgeFromStoredId onDelete "nullify" is no delete rule; use "restrict", "cascade", "setNull", or leave it out (the children keep the id)`,
  );
  assert.ok(locatedIn(bad, () => makeKvetchSchema({ typeDefs: bad })));
  const single = librarySdl.replace('member: Member @edgeFromStoredId(attr: "memberId")', 'member: Member @edgeFromStoredId(attr: "memberId", onDelete: "cascade")');
  assert.throws(
    () => makeKvetchSchema({ typeDefs: single }),
    (error: Error) => error.message === `makeKvetchSchema: Loan.member: @edgeFromStoredId onDelete belongs where the derived edge is declared: on the parent's list or connection field, with edgeId`,
  );
  assert.ok(locatedIn(single, () => makeKvetchSchema({ typeDefs: single })));
});

test("the generated delete mutations: restrict reaches the client with its message and code RESTRICTED, nothing deleted; cascade deletes the loans", async () => {
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: librarySdl });
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const run = async (source: string) => JSON.parse(JSON.stringify(await graphql({ schema, source, contextValue: { kvetch } })));
  const member = (await run(`mutation { createMember(input: { name: "ada" }) { id } }`)).data.createMember.id as string;
  const shelf = (await run(`mutation { createShelf(input: { label: "A" }) { id } }`)).data.createShelf.id as string;
  for (let i = 0; i < 2; i++) await run(`mutation { createLoan(input: { memberId: "${member}", shelfId: "${shelf}" }) { id } }`);
  const refused = await run(`mutation { deleteMember(id: "${member}") }`);
  assert.equal(refused.data, { deleteMember: null });
  assert.equal(refused.errors[0].extensions, { code: "RESTRICTED" });
  assert.is(refused.errors[0].message, `Kvetch: deleteObjects: Member ${member} still has 2 Loan children through edge "member_loans" (onDelete: "restrict"); delete them or clear their memberId first; nothing was deleted`);
  assert.equal((await run(`{ member(id: "${member}") { loans { id } } }`)).data.member.loans.length, 2);
  assert.equal(await run(`mutation { deleteShelf(id: "${shelf}") }`), { data: { deleteShelf: true } });
  assert.equal(await run(`{ member(id: "${member}") { loans { id } } }`), { data: { member: { loans: [] } } });
  assert.equal(await run(`mutation { deleteMember(id: "${member}") }`), { data: { deleteMember: true } });
});

test.run();
