// Parity: introspection — getIntrospectionQuery() with every option over a schema using every feature
// (descriptions, deprecations, interfaces implementing interfaces, unions, enums, input defaults, @oneOf,
// @specifiedBy, repeatable directives, schema description, root types), and hand-written __schema,
// __type and __typename queries. Introspection fields have graphql-js resolvers, so they run emulated.

import { test } from "uvu";
import { buildSchema, getIntrospectionQuery, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { registerCases, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  """The schema of a small shop."""
  schema { query: Shop mutation: Orders subscription: Events }

  """Marks a field as costly."""
  directive @cost(weight: Int = 1, reasons: [String!]) repeatable on FIELD_DEFINITION | OBJECT
  directive @internal on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE

  """An RFC 3339 timestamp."""
  scalar DateTime @specifiedBy(url: "https://tools.ietf.org/html/rfc3339")

  "Something with an id."
  interface Node { id: ID! }

  interface Priced implements Node {
    id: ID!
    "Price in cents."
    price(currency: Currency = EUR, rounded: Boolean = false @deprecated(reason: "always rounded")): Int!
  }

  type Product implements Priced & Node @cost(weight: 2) @cost(weight: 3) {
    id: ID!
    price(currency: Currency = EUR, rounded: Boolean = false @deprecated(reason: "always rounded")): Int!
    name: String!
    oldName: String @deprecated(reason: "use name")
    tags: [String!]!
    related(first: Int = 3, filter: Filter = { inStock: true, tags: ["a"] }): [Product!] @cost(weight: 5)
    added: DateTime
  }

  type Bundle implements Priced & Node {
    id: ID!
    price(currency: Currency = EUR, rounded: Boolean = false): Int!
    items: [Product!]!
  }

  union Result = Product | Bundle

  """Currencies we take."""
  enum Currency {
    EUR
    "US dollars"
    USD
    GBP @deprecated(reason: "no longer accepted")
    CHF @internal
  }

  input Filter {
    inStock: Boolean = false
    tags: [String!] = []
    maxPrice: Int @deprecated(reason: "use range")
    range: Range
    secret: String @internal
  }

  input Range { min: Int = 0, max: Int }

  input Selector @oneOf { id: ID, name: String }

  type Shop {
    node(id: ID!): Node
    product(by: Selector!): Product
    search(text: String!, filter: Filter): [Result!]!
    now: DateTime
  }

  type Orders { order(productId: ID!, quantity: Int = 1): ID }
  type Events { priceChanged(productId: ID): Product }
`);

const minimal = new GraphQLSchema({ query: new GraphQLObjectType({ name: "Q", fields: { a: { type: GraphQLString } } }) });

const full = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

const cases: ParityCase[] = [
  { name: "getIntrospectionQuery() with every option", query: full },
  { name: "getIntrospectionQuery() with the defaults", query: getIntrospectionQuery() },
  { name: "getIntrospectionQuery() without descriptions", query: getIntrospectionQuery({ descriptions: false }) },
  { name: "type names and kinds", query: `{ __schema { types { name kind } queryType { name } mutationType { name } subscriptionType { name } } }` },
  {
    name: "one type with deprecated fields and args",
    query: `{ __type(name: "Product") { name kind fields(includeDeprecated: true) { name isDeprecated deprecationReason args(includeDeprecated: true) { name defaultValue isDeprecated } type { kind name ofType { kind name ofType { kind name ofType { name } } } } } interfaces { name } } }`,
  },
  { name: "fields without deprecated ones", query: `{ __type(name: "Product") { fields { name } } }` },
  { name: "interfaces implementing interfaces and possible types", query: `{ __type(name: "Priced") { interfaces { name } possibleTypes { name } } n: __type(name: "Node") { possibleTypes { name } } }` },
  { name: "union possible types", query: `{ __type(name: "Result") { kind possibleTypes { name } fields { name } } }` },
  { name: "enum values with and without deprecated ones", query: `{ __type(name: "Currency") { enumValues { name } all: enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } } }` },
  { name: "input fields, defaults, deprecation and oneOf", query: `{ f: __type(name: "Filter") { inputFields(includeDeprecated: true) { name defaultValue isDeprecated } isOneOf } s: __type(name: "Selector") { isOneOf inputFields { name } } }` },
  { name: "scalar specifiedBy", query: `{ __type(name: "DateTime") { kind specifiedByURL description } s: __type(name: "String") { specifiedByURL } }` },
  { name: "directives with locations and repeatability", query: `{ __schema { description directives { name isRepeatable locations args { name defaultValue type { name kind ofType { name } } } } } }` },
  { name: "unknown type is null", query: `{ __type(name: "Nope") { name } }` },
  { name: "__type with a variable", query: `query ($t: String!) { __type(name: $t) { name kind } }`, variableValues: { t: "Range" } },
  { name: "__typename on the root, objects and unions", query: `{ __typename a: __typename __schema { __typename queryType { __typename name } } }` },
  { name: "introspection beside data fields", query: `{ now __typename __type(name: "Shop") { fields { name } } }`, rootValue: { now: "2024-01-01T00:00:00Z" } },
  { name: "introspection aliases and fragments", query: `{ t: __type(name: "Bundle") { ...T } } fragment T on __Type { n: name f: fields { ...F } } fragment F on __Field { name type { name } }` },
  { name: "__typename in a mutation", query: `mutation { __typename }` },
  {
    name: "execute() runs a subscription operation's fields once, like a query",
    query: `subscription { priceChanged(productId: "1") { id name tags } }`,
    rootValue: { priceChanged: () => Promise.resolve({ id: "1", name: "lamp", tags: ["a"] }) },
  },
];

registerCases(test, schema, cases);
registerCases(test, minimal, [
  { name: "minimal schema: getIntrospectionQuery()", query: full },
  { name: "minimal schema: root types absent", query: `{ __schema { mutationType { name } subscriptionType { name } description } }` },
]);

test.run();
