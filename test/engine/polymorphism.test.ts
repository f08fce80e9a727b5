import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlJsExecute, parse } from "graphql";
import { execute, explainPlan, makeSchema } from "../../src/index.js";
import { constant, each, loadMany, loadOne } from "../../steps/index.js";

// Pets behind an interface and a union, planned with __planType; owners' pets are loaded per layer.
const typeDefs = /* GraphQL */ `
  type Query { pets: [Pet!]! search(term: String!): [Result!]! }
  interface Pet { id: ID! name: String! owner: Owner }
  type Dog implements Pet { id: ID! name: String! owner: Owner barks: Boolean! friends: [Pet!]! }
  type Cat implements Pet { id: ID! name: String! owner: Owner lives: Int! }
  type Owner { id: ID! name: String! pets: [Pet!]! }
  union Result = Dog | Cat | Owner
`;
const pets: Record<string, any> = {
  d1: { id: "d1", type: "Dog", name: "Rex", ownerId: "o1", barks: true, friendIds: ["c1", "d2"] },
  d2: { id: "d2", type: "Dog", name: "Fido", ownerId: null, barks: false, friendIds: [] },
  c1: { id: "c1", type: "Cat", name: "Tom", ownerId: "o1", lives: 9 },
};
const owners: Record<string, any> = { o1: { id: "o1", type: "Owner", name: "Ann", petIds: ["d1", "c1"] } };
const calls = { pets: 0, owners: 0 };
const getPets = (ids: readonly string[]) => (calls.pets++, ids.map((id) => pets[id] ?? null));
const getOwners = (ids: readonly string[]) => (calls.owners++, ids.map((id) => owners[id] ?? null));
const search = (term: string) => [...Object.values(pets), ...Object.values(owners)].filter((x) => x.name.toLowerCase().includes(term));

const planned = makeSchema({
  typeDefs,
  plans: {
    Query: {
      pets: () => each(constant(Object.keys(pets)), ($id) => loadOne($id, getPets)),
      search: (_$r, args) => loadMany(args.get("term"), (terms: readonly string[]) => terms.map(search)),
    },
    Pet: { __planType: ($pet) => $pet.get("type") },
    Result: { __planType: ($r) => $r.get("type") },
    Dog: {
      owner: ($dog) => loadOne($dog.get("ownerId"), getOwners),
      friends: ($dog) => each($dog.get("friendIds"), ($id) => loadOne($id, getPets)),
    },
    Cat: { owner: ($cat) => loadOne($cat.get("ownerId"), getOwners) },
    Owner: { pets: ($o) => each($o.get("petIds"), ($id) => loadOne($id, getPets)) },
  },
});

const resolvers = buildSchema(typeDefs);
const byType = (x: any) => x.type;
(resolvers.getType("Pet") as any).resolveType = byType;
(resolvers.getType("Result") as any).resolveType = byType;
const ownerOf = (p: any) => (p.ownerId ? owners[p.ownerId] : null);
(resolvers.getType("Dog") as any).getFields().owner.resolve = ownerOf;
(resolvers.getType("Dog") as any).getFields().friends.resolve = (d: any) => d.friendIds.map((id: string) => pets[id]);
(resolvers.getType("Cat") as any).getFields().owner.resolve = ownerOf;
(resolvers.getType("Owner") as any).getFields().pets.resolve = (o: any) => o.petIds.map((id: string) => pets[id]);
const rootValue = { pets: () => Object.values(pets), search: ({ term }: { term: string }) => search(term) };

const cases = [
  `{ pets { __typename id name } }`,
  `{ pets { name ... on Dog { barks } ... on Cat { lives } } }`,
  `{ pets { ...P } } fragment P on Pet { name owner { name } ... on Dog { friends { __typename name ... on Cat { lives owner { pets { name } } } } } }`,
  `{ search(term: "") { __typename ... on Pet { name } ... on Owner { name pets { __typename name } } } }`,
  `{ search(term: "o") { ... on Dog { id barks friends { id ... on Dog { friends { id } } } } ... on Cat { id } } }`,
];

for (const query of cases) {
  test(`polymorphic plans match graphql-js: ${query.slice(0, 60)}`, async () => {
    const document = parse(query);
    const expected = await graphqlJsExecute({ schema: resolvers, document, rootValue });
    const actual = await execute({ schema: planned, document });
    assert.is(JSON.stringify(actual), JSON.stringify(expected));
  });
}

test("one load per concrete-type layer: owners of dogs and of cats are two calls, not one per pet", async () => {
  calls.pets = calls.owners = 0;
  const result = (await execute({ schema: planned, document: parse(`{ pets { name owner { name } } }`) })) as any;
  assert.equal(result.data.pets.map((p: any) => p.owner?.name ?? null), ["Ann", null, "Ann"]);
  assert.equal(calls, { pets: 1, owners: 2 }); // the Dog layer and the Cat layer, each with all its entries
});

test("planning cost grows with the types used, not exponentially with nesting", () => {
  const depth = (n: number) => {
    let sel = `name`;
    for (let i = 0; i < n; i++) sel = `name ... on Dog { friends { ${sel} } }`;
    return `{ pets { ${sel} } }`;
  };
  const steps = [2, 4, 8].map((n) => explainPlan(planned, parse(depth(n))).json.steps.length);
  // Each extra level adds the same number of steps (one Dog layer's worth): linear, not 2^n.
  assert.is(steps[1]! - steps[0]!, (steps[2]! - steps[1]!) / 2, `steps: ${steps.join(", ")}`);
});

test("the type checks of an abstract value that is the same for every entry (a global step's) run per entry, with each entry's path", async () => {
  const seen: Array<ReadonlyArray<string | number>> = [];
  const checked: Array<ReadonlyArray<string | number>> = [];
  const schema = makeSchema({
    typeDefs: `interface Node { name: String } type A implements Node { name: String } type B { name: String } union U = B type Query { xs: [Node] us: [U] }`,
    plans: { Query: { xs: ($root: any) => each(constant([1, 2]), () => $root), us: ($root: any) => each(constant([1, 2, 3]), () => $root) } },
    resolvers: {
      Node: { __resolveType: (v: { t: string }, _c: unknown, info: any) => (seen.push(pathOf(info.path)), v.t) },
      B: { __isTypeOf: (_v: unknown, _c: unknown, info: any) => (checked.push(pathOf(info.path)), true) },
      U: { __resolveType: () => "B" },
    },
  });
  const result = await execute({ schema, document: parse("{ xs { __typename name } us { __typename } }"), rootValue: { t: "A", name: "R" } });
  // Before, the checks ran once for the request, with no entry path to give info: every item failed.
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { xs: [{ __typename: "A", name: "R" }, { __typename: "A", name: "R" }], us: [{ __typename: "B" }, { __typename: "B" }, { __typename: "B" }] } });
  assert.equal(seen, [["xs"], ["xs"]], "resolveType per item, with the list field's path (graphql-js's)");
  assert.equal(checked, [["us"], ["us"], ["us"]], "isTypeOf per item");
});

function pathOf(path: { prev: unknown; key: string | number } | undefined): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p = path; p !== undefined; p = p.prev as typeof path) out.unshift(p.key);
  return out;
}

test.run();
