// `@index(unique: true)` in annotated SDL: the Kvetch schema gets a unique index, `schema print` and `typegen`
// read it, a malformed `unique` is a located misuse, and the generated create and update mutations refuse a
// taken value with extensions.code UNIQUE_VIOLATION, writing nothing.
import { versionInfo } from "graphql";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { graphql } from "../../src/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend } from "../../steps/kvetch/index.js";
import { runSchemaCli } from "../../steps/kvetch/cli/schemaCommands.js";

export const memberSdl = /* GraphQL */ `
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
    name: String @index(name: "member_name", indexId: 2)
  }
`;

const root = fileURLToPath(new URL("../..", import.meta.url));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runSchemaCli(argv, { cwd: root, out: { write: (s: string) => ((out += s), true) } as never, err: { write: (s: string) => ((err += s), true) } as never });
  return { code, out, err };
}

test("@index(unique: true) declares a unique index; without it an index is not unique", () => {
  const { kvetchSchema } = makeKvetchSchema({ typeDefs: memberSdl });
  assert.equal(kvetchSchema.indexes.map((index) => [index.name, index.unique]), [["member_email", true], ["member_name", false]]);
});

test("schema print shows the unique index, typegen reads the SDL, a unique that is not a Boolean is located", async () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-unique-"));
  try {
    const file = join(dir, "member.graphql");
    writeFileSync(file, memberSdl);
    const printed = await cli("schema", "print", file);
    assert.is(printed.code, 0, printed.err);
    assert.match(printed.out, "# index member_email (indexId 1): Member.email, unique\n");
    assert.match(printed.out, "# index member_name (indexId 2): Member.name\n");
    const types = await cli("typegen", file);
    assert.is(types.code, 0, types.err);
    assert.match(types.out, /export interface Member \{\n  id: string;\n  email: string;\n  name: string \| null;\n\}/);
    const bad = join(dir, "bad.graphql");
    writeFileSync(bad, 'type Query { a: A }\ntype A @object(typeId: 1) {\n  id: ID!\n  e: String @index(name: "e", indexId: 1, unique: "yes")\n}\n');
    const located = await cli("schema", "print", bad);
    assert.is(located.code, 1);
    const uniqueMessage = versionInfo.major === 16 ? 'Argument "unique" has invalid value "yes".' : 'Argument "@index(unique:)" has invalid value: Boolean cannot represent a non boolean value: "yes"';
    assert.match(located.err, `graphscale: ${bad}:4:13: makeKvetchSchema: A.e: @index is malformed: ${uniqueMessage}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("generated create and update mutations: a taken email fails the field with UNIQUE_VIOLATION naming index and value, nothing written", async () => {
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: memberSdl });
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const run = async (source: string, variableValues?: Record<string, unknown>) =>
    JSON.parse(JSON.stringify(await graphql({ schema, source, variableValues, contextValue: { kvetch } })));
  const first = await run(`mutation { createMember(input: { email: "ann@example.com", name: "Ann" }) { id } }`);
  const ann = first.data.createMember.id as string;
  const second = await run(`mutation { createMember(input: { email: "ann@example.com", name: "Other" }) { id } }`);
  assert.equal(second.data, { createMember: null });
  assert.is(second.errors[0].extensions.code, "UNIQUE_VIOLATION");
  assert.match(second.errors[0].message, /Member\.email "ann@example\.com" is taken: unique index "member_email"/);
  assert.not.ok(second.errors[0].message.includes(ann));
  const bob = (await run(`mutation { createMember(input: { email: "bob@example.com" }) { id } }`)).data.createMember.id as string;
  const update = await run(`mutation ($id: ID!) { updateMember(id: $id, input: { email: "ann@example.com" }) { id email } }`, { id: bob });
  assert.is(update.errors[0].extensions.code, "UNIQUE_VIOLATION");
  assert.is((await kvetch.getObject(bob))!.data.email, "bob@example.com");
  assert.is((await kvetch.stats()).reduce((n, shard) => n + shard.objects, 0), 2);
});

test.run();
