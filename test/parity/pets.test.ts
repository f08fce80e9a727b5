// Parity: pets behind interfaces and unions, code-first. Abstract types resolved every way graphql-js
// allows — resolveType returning names (sync and async), isTypeOf (sync and async) through the default
// type resolver, `__typename` on data — and every way resolveType can go wrong. Calls are counted.

import { test } from "uvu";
import {
  GraphQLBoolean,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
} from "graphql";
import { CallCounter, registerCases, syncAbortOn17, type ParityCase } from "./harness.js";

class Dog {
  constructor(
    readonly name: string,
    readonly barks: boolean,
    public friends: Array<Dog | Cat> = [],
    public mother: Dog | null = null,
  ) {}
}
class Cat {
  constructor(
    readonly name: string,
    readonly meows: boolean,
    public friends: Array<Dog | Cat> = [],
  ) {}
}
class Person {
  constructor(
    readonly name: string,
    readonly pets: Array<Dog | Cat>,
    public friends: Array<Person | Dog | Cat> = [],
  ) {}
}

const rex = new Dog("Rex", true);
const lassie = new Dog("Lassie", false);
const garfield = new Cat("Garfield", false);
const tom = new Cat("Tom", true);
rex.friends = [garfield, lassie];
rex.mother = lassie;
lassie.friends = [rex];
garfield.friends = [tom, rex];
tom.friends = [];
const john = new Person("John", [rex, garfield]);
const mary = new Person("Mary", [tom, lassie]);
john.friends = [mary, rex, tom];
mary.friends = [john];

const calls = new CallCounter();

const namedInterface = new GraphQLInterfaceType({
  name: "Named",
  fields: { name: { type: GraphQLString } },
});

const petInterface: GraphQLInterfaceType = new GraphQLInterfaceType({
  name: "Pet",
  interfaces: [namedInterface],
  fields: () => ({
    name: { type: GraphQLString },
    friends: { type: new GraphQLList(petInterface) },
  }),
});

const dogType: GraphQLObjectType = new GraphQLObjectType({
  name: "Dog",
  interfaces: [namedInterface, petInterface],
  isTypeOf(value) {
    calls.hit("Dog.isTypeOf");
    return value instanceof Dog;
  },
  fields: () => ({
    name: { type: GraphQLString },
    barks: { type: GraphQLBoolean },
    friends: { type: new GraphQLList(petInterface) },
    mother: { type: dogType },
    owner: { type: personType, resolve: (dog: Dog) => [john, mary].find((p) => p.pets.includes(dog)) ?? null },
  }),
});

const catType: GraphQLObjectType = new GraphQLObjectType({
  name: "Cat",
  interfaces: [namedInterface, petInterface],
  isTypeOf(value) {
    calls.hit("Cat.isTypeOf");
    return Promise.resolve(value instanceof Cat);
  },
  fields: () => ({
    name: { type: GraphQLString },
    meows: { type: GraphQLBoolean },
    friends: { type: new GraphQLList(petInterface) },
    nemesis: { type: petInterface, resolve: () => rex },
  }),
});

const personType: GraphQLObjectType = new GraphQLObjectType({
  name: "Person",
  interfaces: [namedInterface],
  isTypeOf(value) {
    calls.hit("Person.isTypeOf");
    return value instanceof Person;
  },
  fields: () => ({
    name: { type: GraphQLString },
    pets: { type: new GraphQLList(petInterface) },
    friends: { type: new GraphQLList(namedInterface) },
    everything: { type: new GraphQLList(everythingUnion), resolve: (p: Person) => [...p.pets, ...p.friends] },
  }),
});

/** A union without resolveType: the default type resolver asks each type's isTypeOf. */
const everythingUnion = new GraphQLUnionType({
  name: "Everything",
  types: () => [dogType, catType, personType],
});

/** A union whose resolveType names the type from the data (sync). */
const petUnion = new GraphQLUnionType({
  name: "DogOrCat",
  types: () => [dogType, catType],
  resolveType(value: unknown) {
    calls.hit("DogOrCat.resolveType");
    if (value instanceof Dog) return "Dog";
    if (value instanceof Cat) return "Cat";
    const kind = (value as { kind?: unknown }).kind;
    if (kind === "object type") return dogType as unknown as string;
    if (kind === "throw") throw new Error("resolveType threw.");
    if (kind === "reject") return Promise.reject(new Error("resolveType rejected."));
    if (kind === "async") return Promise.resolve("Cat");
    return kind as string;
  },
});

/** Plain objects carrying `__typename`, with types that have no isTypeOf. */
const shapeInterface = new GraphQLInterfaceType({
  name: "Shape",
  fields: { sides: { type: GraphQLString } },
});
const squareType = new GraphQLObjectType({ name: "Square", interfaces: [shapeInterface], fields: { sides: { type: GraphQLString }, length: { type: GraphQLString } } });
const circleType = new GraphQLObjectType({ name: "Circle", interfaces: [shapeInterface], fields: { sides: { type: GraphQLString }, radius: { type: GraphQLString } } });

/** An interface whose resolveType is async and whose types check isTypeOf again afterwards. */
const asyncPet = new GraphQLInterfaceType({
  name: "AsyncPet",
  fields: { name: { type: GraphQLString } },
  resolveType(value: unknown) {
    calls.hit("AsyncPet.resolveType");
    return Promise.resolve(value instanceof Dog ? "AsyncDog" : "AsyncCat");
  },
});
const asyncDog = new GraphQLObjectType({
  name: "AsyncDog",
  interfaces: [asyncPet],
  isTypeOf: (value) => Promise.resolve(value instanceof Dog),
  fields: { name: { type: GraphQLString }, barks: { type: GraphQLBoolean } },
});
const asyncCat = new GraphQLObjectType({
  name: "AsyncCat",
  interfaces: [asyncPet],
  isTypeOf: (value) => value instanceof Cat,
  fields: { name: { type: GraphQLString }, meows: { type: GraphQLBoolean } },
});

/** Every type decides by an async isTypeOf; "Broken" values make one of them reject. */
const asyncOnlyA = new GraphQLObjectType({
  name: "AsyncOnlyA",
  isTypeOf: (value: { t: string }) => (value.t === "broken" ? Promise.reject(new Error("isTypeOf A rejected")) : Promise.resolve(value.t === "a")),
  fields: { name: { type: GraphQLString }, failing: { type: GraphQLString, resolve: () => { throw new Error("A.failing threw"); } } },
});
const asyncOnlyB = new GraphQLObjectType({
  name: "AsyncOnlyB",
  isTypeOf: (value: { t: string }) => Promise.resolve(value.t === "b"),
  fields: { name: { type: GraphQLString }, failing: { type: GraphQLString, resolve: () => Promise.reject(new Error("B.failing rejected")) } },
});
const asyncOnlyUnion = new GraphQLUnionType({ name: "AsyncOnly", types: [asyncOnlyA, asyncOnlyB] });

/** The first type's isTypeOf is async, the second's throws synchronously for some values. */
const mixedA = new GraphQLObjectType({
  name: "MixedA",
  isTypeOf: (value: { t: string }) => Promise.resolve(value.t === "a"),
  fields: { name: { type: GraphQLString } },
});
const mixedB = new GraphQLObjectType({
  name: "MixedB",
  isTypeOf: (value: { t: string }) => {
    if (value.t === "throw") throw new Error("isTypeOf B threw");
    return value.t === "b";
  },
  fields: { name: { type: GraphQLString } },
});
const mixedUnion = new GraphQLUnionType({ name: "Mixed", types: [mixedA, mixedB] });

function odd(kind: unknown): { kind: unknown; name: string } {
  return { kind, name: `odd ${String(kind)}` };
}

const queryType = new GraphQLObjectType({
  name: "Query",
  fields: () => ({
    pets: {
      type: new GraphQLList(petInterface),
      resolve() {
        calls.hit("Query.pets");
        return [rex, garfield, lassie, tom];
      },
    },
    asyncPets: { type: new GraphQLList(petInterface), resolve: async () => [Promise.resolve(garfield), rex] },
    people: { type: new GraphQLList(new GraphQLNonNull(personType)), resolve: () => [john, mary] },
    everything: { type: new GraphQLList(everythingUnion), resolve: () => [rex, john, tom, mary, garfield] },
    dogOrCat: { type: new GraphQLList(petUnion), resolve: () => [rex, garfield, odd("async")] },
    named: { type: new GraphQLList(namedInterface), resolve: () => [john, rex, tom] },
    shapes: {
      type: new GraphQLList(shapeInterface),
      resolve: () => [
        { __typename: "Square", sides: "4", length: "2" },
        { __typename: "Circle", sides: "0", radius: "1" },
      ],
    },
    badTypename: { type: shapeInterface, resolve: () => ({ __typename: "Triangle", sides: "3" }) },
    noTypename: { type: shapeInterface, resolve: () => ({ sides: "3" }) },
    asyncPetsList: { type: new GraphQLList(asyncPet), resolve: () => [rex, garfield, lassie] },
    wrongAsyncPet: { type: asyncPet, resolve: () => garfield as unknown, args: {} },
    oddPet: {
      type: petUnion,
      args: { kind: { type: GraphQLString } },
      resolve: (_root, { kind }) => odd(kind),
    },
    oddPets: {
      type: new GraphQLList(petUnion),
      resolve: () => [rex, odd("Unicorn"), garfield, odd("throw"), odd(undefined), tom],
    },
    strictOddPet: {
      type: new GraphQLNonNull(petUnion),
      args: { kind: { type: GraphQLString } },
      resolve: (_root, { kind }) => odd(kind),
    },
    wrongDog: {
      type: dogType,
      resolve: () => garfield,
    },
    wrongDogs: {
      type: new GraphQLList(dogType),
      resolve: () => [rex, garfield, lassie],
    },
    wrongCat: {
      type: catType,
      resolve: () => rex,
    },
    asyncOnly: {
      type: new GraphQLList(asyncOnlyUnion),
      args: { broken: { type: GraphQLBoolean, defaultValue: false } },
      resolve: (_root, { broken }) => [{ t: "b", name: "b1" }, { t: "a", name: "a1" }, { t: broken ? "broken" : "a", name: "a2" }, { t: "c", name: "c1" }],
    },
    rejecting: { type: GraphQLString, resolve: () => Promise.reject(new Error("a root field rejected")) },
    throwing: {
      type: GraphQLString,
      resolve: () => {
        throw new Error("a root field threw");
      },
    },
    mixed: { type: new GraphQLList(mixedUnion), resolve: () => [{ t: "a", name: "a" }, { t: "b", name: "b" }, { t: "throw", name: "x" }] },
    arrayType: { type: petUnion, resolve: () => odd([]) },
  }),
});

const schema = new GraphQLSchema({
  query: queryType,
  types: [dogType, catType, personType, squareType, circleType, asyncDog, asyncCat, asyncOnlyA, asyncOnlyB, mixedA, mixedB],
});

const cases: ParityCase[] = [
  { name: "pets by isTypeOf with typename", query: `{ pets { __typename name } }` },
  { name: "pets with inline fragments", query: `{ pets { name ... on Dog { barks } ... on Cat { meows } } }` },
  {
    name: "pets with named fragments on concrete types",
    query: `{ pets { ...DogFields ...CatFields } } fragment DogFields on Dog { name barks } fragment CatFields on Cat { name meows }`,
  },
  { name: "fragment on the interface of an interface", query: `{ pets { ...N } } fragment N on Named { name }` },
  { name: "friends of pets: abstract inside abstract", query: `{ pets { name friends { __typename name friends { name } } } }` },
  {
    name: "dog mother and owner",
    query: `{ pets { ... on Dog { mother { name mother { name } } owner { name pets { name } } } } }`,
  },
  { name: "cat nemesis is an interface value", query: `{ pets { ... on Cat { nemesis { __typename name ... on Dog { barks } } } } }` },
  { name: "async pets list with a promise item", query: `{ asyncPets { __typename name } }` },
  { name: "people and their pets and friends", query: `{ people { name pets { __typename name } friends { __typename name ... on Pet { friends { name } } } } }` },
  {
    name: "union without resolveType uses isTypeOf",
    query: `{ everything { __typename ... on Dog { name barks } ... on Cat { name meows } ... on Person { name } } }`,
  },
  {
    name: "union inside interface inside list",
    query: `{ people { everything { __typename ... on Named { name } ... on Pet { friends { __typename } } } } }`,
  },
  { name: "union with resolveType names", query: `{ dogOrCat { __typename ... on Dog { name } ... on Cat { name } } }` },
  { name: "named interface over people and pets", query: `{ named { __typename name ... on Person { pets { name } } } }` },
  { name: "__typename in data selects the type", query: `{ shapes { __typename sides ... on Square { length } ... on Circle { radius } } }` },
  { name: "__typename naming an unknown type", query: `{ badTypename { sides } }` },
  { name: "no __typename and no isTypeOf", query: `{ noTypename { sides } }` },
  { name: "async resolveType then isTypeOf", query: `{ asyncPetsList { __typename name ... on AsyncDog { barks } ... on AsyncCat { meows } } }` },
  { name: "resolveType naming an unknown type", query: `{ oddPet(kind: "Unicorn") { __typename } }` },
  { name: "resolveType naming a type outside the union", query: `{ oddPet(kind: "Person") { __typename } }` },
  { name: "resolveType naming an input type", query: `{ oddPet(kind: "String") { __typename } }` },
  { name: "resolveType returning undefined", query: `{ oddPet { __typename } }` },
  { name: "resolveType returning an object type", query: `{ oddPet(kind: "object type") { __typename } }` },
  { name: "resolveType throwing", query: `{ oddPet(kind: "throw") { __typename } }` },
  { name: "resolveType rejecting", query: `{ oddPet(kind: "reject") { __typename } }` },
  { name: "resolveType resolving asynchronously", query: `{ oddPet(kind: "async") { __typename ... on Cat { meows } } }` },
  { name: "resolveType failures inside a list", query: `{ oddPets { __typename ... on Dog { name } ... on Cat { name } } }` },
  { name: "resolveType failure at a non-null field nulls data", query: `{ pets { name } strictOddPet(kind: "Unicorn") { __typename } }`, ...syncAbortOn17 },
  { name: "resolveType returning undefined at a non-null field", query: `{ strictOddPet { __typename } }` },
  { name: "isTypeOf false on a concrete field", query: `{ wrongDog { name } }` },
  { name: "isTypeOf false inside a list", query: `{ wrongDogs { name barks } }` },
  { name: "async isTypeOf false on a concrete field", query: `{ wrongCat { name } }` },
  {
    name: "abstract fields with aliases and typename only",
    query: `{ a: pets { __typename } b: pets { t: __typename n: name } }`,
  },
  { name: "resolveType returning a list", query: `{ arrayType { __typename } }` },
  { name: "all isTypeOf async", query: `{ asyncOnly { __typename ... on AsyncOnlyA { name } ... on AsyncOnlyB { name } } }` },
  { name: "an async isTypeOf rejecting", query: `{ asyncOnly(broken: true) { __typename } }` },
  {
    name: "errors under async type resolution interleave with root errors",
    query: `{ rejecting asyncOnly { ... on AsyncOnlyA { failing } ... on AsyncOnlyB { failing } } throwing }`,
  },
  {
    name: "errors under an async isTypeOf rejection and root errors",
    query: `{ asyncOnly(broken: true) { ... on AsyncOnlyA { failing } ... on AsyncOnlyB { failing } } rejecting }`,
  },
  { name: "a synchronous isTypeOf throwing while others are pending", query: `{ mixed { __typename ... on MixedA { name } ... on MixedB { name } } rejecting }` },
  {
    name: "inline fragment without type condition",
    query: `{ pets { ... { name } ... on Pet { ... on Dog { barks } } } }`,
  },
];

registerCases(test, schema, cases, { calls });

test.run();
