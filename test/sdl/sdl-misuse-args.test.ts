// More SDL that could only misbehave at run time, refused when the schema is built with an error naming
// type, field and directive: stored-id attributes that are not GraphQL names (they would break or inject
// into the generated input), that name `id` or a non-ID field, or whose @default is not an id; an @edgeCount on a list;
// paging, idempotency-key and write arguments of another type than the store or the attribute takes; an
// @index on id or on a field no write stores; user types colliding with a generated connection's helpers;
// unknown or repeated directive arguments, and a directive given twice.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { constant } from "../../steps/index.js";
import { makeKvetchSchema } from "../../steps/kvetch/index.js";
import { locatedIn } from "./located.js";

const AB = `type Query { r(id: ID!): B @readObject } type Mutation { createB: B @createObject } type A @object(typeId: 1) { id: ID! n: String }`;

const MISUSE: Array<[string, string, string]> = [
  [
    "a Kvetch directive on an interface's field",
    `type Query { item(id: ID!): Item @readObject } interface Named { name: String @index(name: "by_name", indexId: 1) } type Item implements Named @object(typeId: 1) { id: ID! name: String }`,
    `makeKvetchSchema: Named.name: @index belongs on an object type or its fields, not on an interface's field`,
  ],
  [
    "@object on an interface",
    `type Query { item(id: ID!): Item @readObject } interface Named @object(typeId: 2) { name: String } type Item implements Named @object(typeId: 1) { id: ID! name: String }`,
    `makeKvetchSchema: Named: @object belongs on an object type or its fields, not on an interface`,
  ],
  [
    "a Kvetch directive on an argument",
    `type Query { item(id: ID! @readObject): Item } type Item @object(typeId: 1) { id: ID! name: String }`,
    `makeKvetchSchema: Query.item(id:): @readObject belongs on an object type or its fields, not on an argument or input field`,
  ],
  [
    "@default on an input field",
    `type Query { item(id: ID!): Item @readObject } type Mutation { createItem(input: ItemIn!): Item @createObject } input ItemIn { name: String @default(value: "x") } type Item @object(typeId: 1) { id: ID! name: String }`,
    `makeKvetchSchema: ItemIn.name: @default belongs on an object type or its fields, not on an argument or input field`,
  ],
  [
    "a Kvetch directive on an enum value",
    `type Query { item(id: ID!): Item @readObject } enum Kind { A @index(name: "k", indexId: 1) } type Item @object(typeId: 1) { id: ID! kind: Kind }`,
    `makeKvetchSchema: Kind.A: @index belongs on an object type or its fields, not on an enum value`,
  ],
  [
    "a type named like an introspection type",
    `type Query { a: Int }\ntype __Type { x: Int @index(name: "x", indexId: 1) }`,
    `makeKvetchSchema: __Type: names starting with __ are reserved for GraphQL introspection; rename the type`,
  ],
  [
    "an empty stored-id attr",
    `${AB} type B @object(typeId: 2) { id: ID! x: String a: A @edgeFromStoredId(attr: "") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "" is not a GraphQL name (letters, digits and _, not starting with a digit or __)`,
  ],
  [
    "a stored-id attr with a space",
    `${AB} type B @object(typeId: 2) { id: ID! x: String a: A @edgeFromStoredId(attr: "a b") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "a b" is not a GraphQL name (letters, digits and _, not starting with a digit or __)`,
  ],
  [
    "a stored-id attr starting with a digit",
    `${AB} type B @object(typeId: 2) { id: ID! x: String a: A @edgeFromStoredId(attr: "1abc") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "1abc" is not a GraphQL name (letters, digits and _, not starting with a digit or __)`,
  ],
  [
    "a derived edge's attr that would inject input fields",
    `${AB} type B @object(typeId: 2) { id: ID! x: String } extend type A { bs: [B] @edgeFromStoredId(name: "e", edgeId: 1, attr: "evil: Int\\n other") }`,
    `makeKvetchSchema: A.bs: @edgeFromStoredId attr "evil: Int\\n other" is not a GraphQL name (letters, digits and _, not starting with a digit or __)`,
  ],
  [
    "a stored-id attr reserved for introspection",
    `${AB} type B @object(typeId: 2) { id: ID! x: String a: A @edgeFromStoredId(attr: "__a") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "__a" is not a GraphQL name (letters, digits and _, not starting with a digit or __)`,
  ],
  [
    "a stored-id attr naming the object's own id",
    `${AB} type B @object(typeId: 2) { id: ID! label: String a: A @edgeFromStoredId(attr: "id") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "id" names the object's own id, which cannot hold another object's id; use another attr`,
  ],
  [
    "a derived edge's attr naming an Int field",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! v: String bs: [B] @edgeFromStoredId(name: "e", edgeId: 1, attr: "num") } type B @object(typeId: 2) { id: ID! num: Int }`,
    `makeKvetchSchema: A.bs: @edgeFromStoredId attr "num" names the field B.num: Int; an attribute holding ids must be of type ID (declare it num: ID) or use another attr`,
  ],
  [
    "a stored-id attr naming a list of ids",
    `${AB} type B @object(typeId: 2) { id: ID! refs: [ID] a: A @edgeFromStoredId(attr: "refs") }`,
    `makeKvetchSchema: B.a: @edgeFromStoredId attr "refs" names the field B.refs: [ID]; an attribute holding ids must be of type ID (declare it refs: ID) or use another attr`,
  ],
  [
    "a @default on a stored-id attribute that is not a UUID",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! bs: [B] @edgeFromStoredId(name: "e", edgeId: 1, attr: "ref") } type B @object(typeId: 2) { id: ID! x: String ref: ID @default(value: "not-a-uuid") }`,
    `makeKvetchSchema: B.ref: @default value "not-a-uuid" is not an object id (a UUID), but B.ref holds A ids`,
  ],
  [
    "an @edgeCount on a list of Int",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! kids: [A] @edge(name: "k", edgeId: 1) c: [Int] @edgeCount(edge: "k") }`,
    `makeKvetchSchema: A.c: @edgeCount needs an Int or Int! field, got [Int]`,
  ],
  [
    "an @edge list whose first is a String",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! kids(first: String): [A] @edge(name: "k", edgeId: 1) }`,
    `makeKvetchSchema: A.kids: @edge argument first: String is passed to the store as a count; declare it first: Int`,
  ],
  [
    "an @edge connection whose after is an Int",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! kids(first: Int, after: Int!): AConnection @edge(name: "k", edgeId: 1) }`,
    `makeKvetchSchema: A.kids: @edge argument after: Int! is passed to the store as a cursor; declare it after: String`,
  ],
  [
    "a @queryIndex whose first is a list",
    `type Query { byN(n: String, first: [Int]): [A] @queryIndex(index: "n") } type A @object(typeId: 1) { id: ID! n: String @index(name: "n", indexId: 1) }`,
    `makeKvetchSchema: Query.byN: @queryIndex argument first: [Int] is passed to the store as a count; declare it first: Int`,
  ],
  [
    "a create whose idempotencyKey is an Int",
    `type Query { r(id: ID!): A @readObject } type Mutation { createA(n: String, idempotencyKey: Int): A @createObject } type A @object(typeId: 1) { id: ID! n: String }`,
    `makeKvetchSchema: Mutation.createA: @createObject argument idempotencyKey: Int must be a String (the store's retry key); declare it idempotencyKey: String`,
  ],
  [
    "a create writing an Int attribute from a String argument",
    `type Query { r(id: ID!): A @readObject } type Mutation { createA(v: String): A @createObject } type A @object(typeId: 1) { id: ID! v: Int }`,
    `makeKvetchSchema: Mutation.createA: @createObject cannot write argument v: String into A.v, which is Int; declare it v: Int`,
  ],
  [
    "a create writing a scalar attribute from a list argument",
    `type Query { r(id: ID!): A @readObject } type Mutation { createA(v: [String]): A @createObject } type A @object(typeId: 1) { id: ID! v: String! }`,
    `makeKvetchSchema: Mutation.createA: @createObject cannot write argument v: [String] into A.v, which is String!; declare it v: String`,
  ],
  [
    "an update writing a scalar attribute from an input object of the same name",
    `type Query { r(id: ID!): A @readObject } input In { x: Int } type Mutation { setA(id: ID!, x: In): A @updateObject } type A @object(typeId: 1) { id: ID! x: Int }`,
    `makeKvetchSchema: Mutation.setA: @updateObject cannot write argument x: In into A.x, which is Int; declare it x: Int`,
  ],
  [
    "an input object field of another type than its attribute",
    `type Query { r(id: ID!): A @readObject } input AIn { v: Boolean } type Mutation { createA(input: AIn!): A @createObject } type A @object(typeId: 1) { id: ID! v: Int }`,
    `makeKvetchSchema: Mutation.createA: @createObject cannot write AIn.v: Boolean into A.v, which is Int; declare it v: Int`,
  ],
  [
    "a create taking a list of input objects",
    `type Query { r(id: ID!): A @readObject } input AIn { v: Int! } type Mutation { createA(input: [AIn!]!): A @createObject } type A @object(typeId: 1) { id: ID! v: Int! }`,
    `makeKvetchSchema: Mutation.createA: @createObject argument input: [AIn!]! must be one AIn, not a list (a create writes one object)`,
  ],
  [
    "an @index on id",
    `type Query { byId(id: ID): A @queryIndex(index: "by_id") } type A @object(typeId: 1) { id: ID! @index(name: "by_id", indexId: 1) n: String }`,
    `makeKvetchSchema: A.id: @index needs a stored attribute; id is the object's own id, which no index holds (read an object by id with @readObject)`,
  ],
  [
    "a generated connection whose edge type the SDL already defines",
    `type Query { r(id: ID!): A @readObject } type AEdge { weight: Int } type A @object(typeId: 1) { id: ID! as: AConnection @edge(name: "e", edgeId: 1) }`,
    `makeKvetchSchema: A.as: @edge generates AConnection with the edge type AEdge, which the SDL already defines; define AConnection yourself (edges { cursor node } and pageInfo) or rename AEdge`,
  ],
  [
    "a generated connection over a PageInfo that is not one",
    `type Query { r(id: ID!): A @readObject } enum PageInfo { A } type A @object(typeId: 1) { id: ID! bs: [B] @edgeFromStoredId(name: "e", edgeId: 1, attr: "aId") } type B @object(typeId: 2) { id: ID! as: AConnection @edgeFromStoredId(name: "e", attr: "aId") }`,
    `makeKvetchSchema: B.as: @edgeFromStoredId generates AConnection over the SDL's PageInfo, which is not an object type with hasNextPage, hasPreviousPage, startCursor and endCursor; define it so or rename it`,
  ],
  [
    "a directive argument the directive does not have",
    `type Query { r(id: ID!): A @readObject(type: "A") } type A @object(typeId: 1) { id: ID! }`,
    `makeKvetchSchema: Query.r: @readObject has no argument "type" (arguments: none)`,
  ],
  [
    "a misspelt directive argument",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! n: String @index(name: "n", indexId: 1, uniqe: true) }`,
    `makeKvetchSchema: A.n: @index has no argument "uniqe" (arguments: name, indexId, unique)`,
  ],
  [
    "a directive argument given twice",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1, typeId: 2) { id: ID! }`,
    `makeKvetchSchema: A: @object gives argument "typeId" twice`,
  ],
  [
    "@default twice on one field",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! v: Int @default(value: 3) @default(value: 4) }`,
    `makeKvetchSchema: A.v: @default appears twice; give it once`,
  ],
  [
    "@object twice on one type",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) @object(typeId: 2) { id: ID! }`,
    `makeKvetchSchema: A: @object appears twice; give it once`,
  ],
  [
    "@object on a type and on its extension",
    `type Query { r(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! } extend type A @object(typeId: 2)`,
    `makeKvetchSchema: A: @object appears twice on A (type and extension); give it once`,
  ],
];

for (const [name, typeDefs, message] of MISUSE) {
  test(`schema-build error: ${name}, located in the SDL`, () => {
    assert.throws(() => makeKvetchSchema({ typeDefs }), (error: Error) => error.message === message || (console.log(error.message), false));
    assert.ok(locatedIn(typeDefs, () => makeKvetchSchema({ typeDefs })), "the error gives the line and column of the directive or its field");
  });
}

test("a stored-id attribute declared as an ID field, with a UUID @default, is accepted", () => {
  const built = makeKvetchSchema({
    typeDefs: `type Query { r(id: ID!): B @readObject } type Mutation { createB: B @createObject } type A @object(typeId: 1) { id: ID! }
      type B @object(typeId: 2) { id: ID! ref: ID! @default(value: "01a20752-b6bb-75a2-8df6-69c057eb1f55") a: A @edgeFromStoredId(attr: "ref") }`,
  });
  assert.match(built.resolvedTypeDefs, /input CreateBInput \{\n {2}ref: ID\n\}/);
});

test("an @index on a field with a hand-written plan is a schema-build error: that field is never stored", () => {
  assert.throws(
    () =>
      makeKvetchSchema({
        typeDefs: `type Query { a(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! name: String score: Int @index(name: "score", indexId: 1) }`,
        plans: { A: { score: () => constant(3) } },
      }),
    (error: Error) => error.message === "makeKvetchSchema: A.score: @index needs a stored attribute; A.score is computed by a hand-written plan, so no write stores it for the index",
  );
});

test("a generated connection uses the SDL's own PageInfo when it has the four fields (extensions included), and shares its edge type between fields", () => {
  const built = makeKvetchSchema({
    typeDefs: `type Query { r(id: ID!): A @readObject } type PageInfo { hasNextPage: Boolean! endCursor: String note: String }
      extend type PageInfo { hasPreviousPage: Boolean! startCursor: String }
      type A @object(typeId: 1) { id: ID! kids: AConnection @edge(name: "k", edgeId: 1) more: AConnection @edge(name: "k") }`,
  });
  assert.match(built.resolvedTypeDefs, /type PageInfo \{[^}]*note: String/);
  assert.match(built.resolvedTypeDefs, /type AEdge \{/);
});

test("write arguments may be non-null where the attribute is nullable (and the reverse): the type under the non-null must match", () => {
  const built = makeKvetchSchema({
    typeDefs: `type Query { r(id: ID!): A @readObject } input AIn { v: Int! tags: [String!] }
      type Mutation { createA(v: Int!, tags: [String!]!, idempotencyKey: String!): A @createObject addA(input: AIn!): A @createObject setA(id: ID!, v: Int): A @updateObject }
      type A @object(typeId: 1) { id: ID! v: Int! tags: [String!] kids(first: Int!, after: String): [A] @edge(name: "k", edgeId: 1) }`,
  });
  assert.ok(built.schema.getMutationType()?.getFields().addA);
});

test.run();
