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

test.run();
