// Kvetch declarations in annotated SDL refused where they are written (spec/annotated-sdl.md "Misuse"): a
// duplicate index name and a duplicate type, edge or index id name the second declaration's type and field,
// carry its line and column, and name the first one's; an attr that differs from a declared field only in
// case is an error naming that field, one that matches nothing is a located warning listing the fields.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GraphQLError } from "graphql";
import { makeKvetchSchema } from "../../steps/kvetch/sdl/makeKvetchSchema.js";
import { runSchemaCli } from "../../steps/kvetch/cli/schemaCommands.js";

/** The error building `typeDefs` throws, with the line:column of its first location. */
function refusal(typeDefs: string): { message: string; at: string } {
  try {
    makeKvetchSchema({ typeDefs });
  } catch (error) {
    const where = (error as GraphQLError).locations?.[0];
    return { message: (error as Error).message, at: where === undefined ? "" : `${where.line}:${where.column}` };
  }
  throw new Error("the schema built");
}

const STORED = `type Query { a: A }\n`;

const DUPLICATES: Array<[string, string, string, string]> = [
  [
    "a duplicate index name",
    `${STORED}type A @object(typeId: 1) {\n  id: ID!\n  email: String @index(name: "byEmail", indexId: 1)\n  mail: String @index(name: "byEmail", indexId: 2)\n}`,
    "5:16",
    `makeKvetchSchema: A.mail: @index declares index "byEmail", which A.email (@index at 4:17) already declares; index names are unique`,
  ],
  [
    "a duplicate indexId",
    `${STORED}type A @object(typeId: 1) {\n  id: ID!\n  email: String @index(name: "byEmail", indexId: 1)\n  mail: String @index(name: "byMail", indexId: 1)\n}`,
    "5:16",
    `makeKvetchSchema: A.mail: @index declares index "byMail" with indexId 1, which A.email (@index at 4:17) gives index "byEmail"; ids are stored, so each must be unique`,
  ],
  [
    "a duplicate typeId",
    `${STORED}type A @object(typeId: 1) { id: ID! }\ntype B @object(typeId: 1) { id: ID! }`,
    "3:8",
    `makeKvetchSchema: B: @object declares type "B" with typeId 1, which A (@object at 2:8) gives type "A"; ids are stored, so each must be unique`,
  ],
  [
    "a duplicate edgeId",
    `${STORED}type A @object(typeId: 1) {\n  id: ID!\n  bs: [B!]! @edge(name: "ab", edgeId: 3)\n  cs: [B!]! @edge(name: "ac", edgeId: 3)\n}\ntype B @object(typeId: 2) { id: ID! }`,
    "5:13",
    `makeKvetchSchema: A.cs: @edge declares edge "ac" with edgeId 3, which A.bs (@edge at 4:13) gives edge "ab"; ids are stored, so each must be unique`,
  ],
  [
    "a duplicate edge name",
    `${STORED}type A @object(typeId: 1) {\n  id: ID!\n  bs: [B!]! @edge(name: "ab", edgeId: 3)\n  cs: [B!]! @edge(name: "ab", edgeId: 4)\n}\ntype B @object(typeId: 2) { id: ID! }`,
    "5:13",
    `makeKvetchSchema: A.cs: @edge declares edge "ab", which A.bs (@edge at 4:13) already declares; edge names are unique`,
  ],
];

for (const [name, typeDefs, at, message] of DUPLICATES) {
  test(`sdl declarations: ${name} is refused at the second directive, naming the first`, () => {
    const refused = refusal(typeDefs);
    assert.is(refused.message, message);
    assert.is(refused.at, at);
  });
}

const EDGE = (attr: string, fields: string): string =>
  `${STORED}type A @object(typeId: 1) {\n  id: ID!\n  bs: [B!]! @edgeFromStoredId(name: "ab", edgeId: 1, attr: "${attr}")\n}\ntype B @object(typeId: 2) { id: ID!${fields} }`;

test("sdl declarations: an attr differing from a declared field only in case is refused, naming the field", () => {
  const refused = refusal(EDGE("aid", ", aId: ID"));
  assert.is(refused.message, `makeKvetchSchema: A.bs: @edgeFromStoredId attr "aid" differs from the field B.aId only in case; attributes are case-sensitive: write attr: "aId"`);
  assert.is(refused.at, "4:13");
  // Also against a create mutation's argument, the other place an attribute is declared.
  const byArgument = refusal(`${EDGE("Aid", ", text: String")}\ntype Mutation { makeB(aId: ID!, text: String): B @createObject }`);
  assert.is(byArgument.message, `makeKvetchSchema: A.bs: @edgeFromStoredId attr "Aid" differs from the argument aId of Mutation.makeB only in case; attributes are case-sensitive: write attr: "aId"`);
});

test("sdl declarations: an attr matching no declared field is a located warning listing the fields; the schema builds", () => {
  const told: GraphQLError[] = [];
  const built = makeKvetchSchema({ typeDefs: EDGE("owner", ", text: String"), onWarning: (warning) => void told.push(warning) });
  assert.is(built.warnings.length, 1);
  assert.equal(told, built.warnings);
  assert.is(
    built.warnings[0]!.message,
    `makeKvetchSchema: A.bs: @edgeFromStoredId attr "owner" names no field of B (fields: id, text) and no argument of a mutation writing it; check the name, or declare it (owner: ID)`,
  );
  assert.equal(built.warnings[0]!.locations, [{ line: 4, column: 13 }]);
  assert.is(built.kvetchSchema.edge("ab", "test").storedIdAttr, "owner");
  // Declared by a create mutation's argument (as the todo example does): no warning.
  assert.is(makeKvetchSchema({ typeDefs: `${EDGE("aId", ", text: String")}\ntype Mutation { makeB(aId: ID!): B @createObject }` }).warnings.length, 0);
});

test("sdl declarations: `graphscale schema print` prints the refusal and the warning as file:line:column", async () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-sdl-"));
  const run = async (file: string): Promise<{ code: number; err: string }> => {
    let err = "";
    const sink = { write: (s: string) => ((err += s), true) } as never;
    const code = await runSchemaCli(["schema", "print", file], { cwd: dir, out: { write: () => true } as never, err: sink });
    return { code, err };
  };
  try {
    writeFileSync(join(dir, "dup.graphql"), DUPLICATES[0]![1]);
    assert.equal(await run("dup.graphql"), { code: 1, err: `graphscale: dup.graphql:5:16: ${DUPLICATES[0]![3]}\n` });
    writeFileSync(join(dir, "warn.graphql"), EDGE("owner", ", text: String"));
    const warned = await run("warn.graphql");
    assert.is(warned.code, 0);
    assert.is(warned.err, `graphscale: warning: warn.graphql:4:13: makeKvetchSchema: A.bs: @edgeFromStoredId attr "owner" names no field of B (fields: id, text) and no argument of a mutation writing it; check the name, or declare it (owner: ID)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
