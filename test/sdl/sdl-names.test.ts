// Type names annotated SDL must handle like any other, or refuse clearly when the schema is built: stored
// types named like Object.prototype members (`toString`, `constructor`) plan and write as declared and leave
// the built-ins untouched; a type redefining a built-in scalar is a clear build error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { graphql } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend } from "../../steps/kvetch/index.js";

async function setup(typeDefs: string, plans?: Parameters<typeof makeKvetchSchema>[0]["plans"]) {
  const built = makeKvetchSchema({ typeDefs, plans });
  const kvetch = new Kvetch({ schema: built.kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const exec = async (source: string, variableValues?: Record<string, unknown>) =>
    JSON.parse(JSON.stringify(await graphql({ schema: built.schema, source, variableValues, contextValue: { kvetch } })));
  return { ...built, kvetch, exec };
}

for (const name of ["toString", "constructor", "valueOf", "hasOwnProperty"]) {
  test(`a stored type named ${name} is planned like any other and leaves Object.prototype.${name} alone`, async () => {
    const builtIn = (Object.prototype as unknown as Record<string, object>)[name]!;
    const s = await setup(
      `type Query { readP(id: ID!): ${name} @readObject }
       type Mutation { createP(x: String, aRef: ID): ${name} @createObject createA(n: String): A @createObject }
       type A @object(typeId: 1) { id: ID! n: String }
       type ${name} @object(typeId: 2) { id: ID! x: String y: A @edgeFromStoredId(attr: "aRef") kids: ${name}Connection @edge(name: "k", edgeId: 1) shout: String }`,
      { [name]: { shout: () => constant("HI") } },
    );
    assert.equal(Object.keys(builtIn), [], `Object.prototype.${name} got properties`);
    const a = await s.exec(`mutation { createA(n: "q") { id } }`);
    const p = await s.exec(`mutation ($a: ID) { createP(x: "hi", aRef: $a) { x y { n } kids { totalCount } shout } }`, { a: a.data.createA.id });
    assert.equal(p, { data: { createP: { x: "hi", y: { n: "q" }, kids: { totalCount: 0 }, shout: "HI" } } });
  });
}

const BUILT_IN: Array<[string, string]> = [
  [
    `type Query { r(id: ID!): ID @readObject } type ID @object(typeId: 1) { id: String }`,
    "makeKvetchSchema: ID: @object is on type ID, named like GraphQL's built-in scalar ID, which graphql-js keeps (dropping this type, its fields and directives); rename the type",
  ],
  [
    `type Query { a: Boolean } type Boolean { x: String @default(value: "a") }`,
    "makeKvetchSchema: Boolean.x: @default is on type Boolean, named like GraphQL's built-in scalar Boolean, which graphql-js keeps (dropping this type, its fields and directives); rename the type",
  ],
  [
    `type Query { a: String } type String { x: Int }`,
    "makeKvetchSchema: type String is named like GraphQL's built-in scalar String, which graphql-js keeps (dropping this type, its fields and directives); rename the type",
  ],
];

for (const [typeDefs, message] of BUILT_IN) {
  test(`schema-build error: an object type named like a built-in scalar (${message.slice(18, 40)}...)`, () => {
    assert.throws(() => makeKvetchSchema({ typeDefs }), (error: Error) => error.message === message || (console.log(error.message), false));
  });
}

test.run();
