// Parity: a Star-Wars-like graph written code-first with plain graphql-js resolvers — a Character
// interface (resolveType by name), humans and droids, friends lists (sync for humans, async for droids),
// an Episode enum, a search union. Resolver calls are counted and must match graphql-js's.

import { test } from "uvu";
import {
  GraphQLEnumType,
  GraphQLID,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  GraphQLInt,
} from "graphql";
import { CallCounter, registerCases, syncAbortOn17, type ParityCase } from "./harness.js";

interface Person {
  type: "Human" | "Droid";
  id: string;
  name: string;
  friends: string[];
  appearsIn: number[];
  homePlanet?: string | null;
  primaryFunction?: string;
}

const people: Record<string, Person> = {
  "1000": { type: "Human", id: "1000", name: "Luke Skywalker", friends: ["1002", "1003", "2000", "2001"], appearsIn: [4, 5, 6], homePlanet: "Tatooine" },
  "1001": { type: "Human", id: "1001", name: "Darth Vader", friends: ["1004"], appearsIn: [4, 5, 6], homePlanet: "Tatooine" },
  "1002": { type: "Human", id: "1002", name: "Han Solo", friends: ["1000", "1003", "2001"], appearsIn: [4, 5, 6], homePlanet: null },
  "1003": { type: "Human", id: "1003", name: "Leia Organa", friends: ["1000", "1002", "2000", "2001"], appearsIn: [4, 5, 6], homePlanet: "Alderaan" },
  "1004": { type: "Human", id: "1004", name: "Wilhuff Tarkin", friends: ["1001"], appearsIn: [4] },
  "2000": { type: "Droid", id: "2000", name: "C-3PO", friends: ["1000", "1002", "1003", "2001"], appearsIn: [4, 5, 6], primaryFunction: "Protocol" },
  "2001": { type: "Droid", id: "2001", name: "R2-D2", friends: ["1000", "1002", "1003"], appearsIn: [4, 5, 6], primaryFunction: "Astromech" },
};

const calls = new CallCounter();

const episodeEnum = new GraphQLEnumType({
  name: "Episode",
  values: { NEWHOPE: { value: 4 }, EMPIRE: { value: 5 }, JEDI: { value: 6 } },
});

const characterInterface: GraphQLInterfaceType = new GraphQLInterfaceType({
  name: "Character",
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: { type: GraphQLString },
    friends: { type: new GraphQLList(characterInterface) },
    appearsIn: { type: new GraphQLList(episodeEnum) },
    secretBackstory: { type: GraphQLString },
  }),
  resolveType(character: Person) {
    calls.hit("Character.resolveType");
    return character.type;
  },
});

function friendsOf(person: Person): Person[] {
  return person.friends.map((id) => people[id]!);
}

const humanType: GraphQLObjectType = new GraphQLObjectType({
  name: "Human",
  interfaces: [characterInterface],
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: {
      type: GraphQLString,
      resolve(human: Person) {
        calls.hit("Human.name");
        return human.name;
      },
    },
    friends: {
      type: new GraphQLList(characterInterface),
      resolve(human: Person) {
        calls.hit("Human.friends");
        return friendsOf(human);
      },
    },
    appearsIn: { type: new GraphQLList(episodeEnum) },
    homePlanet: { type: GraphQLString },
    secretBackstory: {
      type: GraphQLString,
      resolve() {
        throw new Error("secretBackstory is secret.");
      },
    },
    friendCount: {
      type: new GraphQLNonNull(GraphQLInt),
      resolve: (human: Person) => human.friends.length,
    },
  }),
});

const droidType: GraphQLObjectType = new GraphQLObjectType({
  name: "Droid",
  interfaces: [characterInterface],
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: {
      type: GraphQLString,
      resolve(droid: Person) {
        calls.hit("Droid.name");
        return Promise.resolve(droid.name);
      },
    },
    friends: {
      type: new GraphQLList(characterInterface),
      async resolve(droid: Person) {
        calls.hit("Droid.friends");
        return friendsOf(droid);
      },
    },
    appearsIn: { type: new GraphQLList(episodeEnum) },
    secretBackstory: {
      type: GraphQLString,
      resolve() {
        return Promise.reject(new Error("droids keep their backstory."));
      },
    },
    primaryFunction: { type: GraphQLString },
  }),
});

const searchResult = new GraphQLUnionType({
  name: "SearchResult",
  types: [humanType, droidType],
  resolveType: (value: Person) => Promise.resolve(value.type),
});

const queryType = new GraphQLObjectType({
  name: "Query",
  fields: () => ({
    hero: {
      type: characterInterface,
      args: { episode: { type: episodeEnum } },
      resolve(_root, { episode }) {
        calls.hit("Query.hero");
        return episode === 5 ? people["1000"] : people["2001"];
      },
    },
    human: {
      type: humanType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve(_root, { id }) {
        calls.hit("Query.human");
        return people[id] ?? null;
      },
    },
    droid: {
      type: droidType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      async resolve(_root, { id }) {
        calls.hit("Query.droid");
        return people[id] ?? null;
      },
    },
    characters: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(characterInterface))),
      args: { ids: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) } },
      resolve(_root, { ids }) {
        calls.hit("Query.characters");
        return (ids ?? Object.keys(people)).map((id: string) => people[id] ?? null);
      },
    },
    search: {
      type: new GraphQLList(searchResult),
      args: { text: { type: new GraphQLNonNull(GraphQLString) } },
      resolve(_root, { text }) {
        calls.hit("Query.search");
        return Object.values(people).filter((p) => p.name.toLowerCase().includes(String(text).toLowerCase()));
      },
    },
    episodes: {
      type: new GraphQLList(new GraphQLNonNull(episodeEnum)),
      resolve: () => [4, Promise.resolve(5), 6],
    },
  }),
});

const schema = new GraphQLSchema({ query: queryType, types: [humanType, droidType] });

const cases: ParityCase[] = [
  { name: "hero name", query: `{ hero { name } }` },
  { name: "hero id and name with __typename", query: `{ hero { __typename id name } }` },
  { name: "hero of EMPIRE is a human", query: `{ hero(episode: EMPIRE) { __typename name } }` },
  { name: "hero friends names", query: `query HeroFriends { hero { id name friends { name } } }` },
  { name: "friends of friends", query: `{ hero { name friends { name appearsIn friends { name } } } }` },
  { name: "three levels of friends with typenames", query: `{ hero(episode: EMPIRE) { name friends { __typename name friends { __typename name friends { name } } } } }` },
  { name: "human by id", query: `{ human(id: "1000") { name homePlanet } }` },
  { name: "human with null home planet", query: `{ human(id: "1002") { name homePlanet } }` },
  { name: "human missing property home planet", query: `{ human(id: "1004") { name homePlanet } }` },
  { name: "unknown human is null", query: `{ human(id: "not a human") { name } }` },
  { name: "droid by id (async root)", query: `{ droid(id: "2000") { name primaryFunction } }` },
  { name: "unknown droid is null (async)", query: `{ droid(id: "nope") { name } }` },
  { name: "aliases for two humans", query: `{ luke: human(id: "1000") { name } leia: human(id: "1003") { name } }` },
  { name: "aliases with the same field twice", query: `{ luke: human(id: "1000") { name n2: name } luke2: human(id: "1000") { homePlanet } }` },
  {
    name: "named fragment on a concrete type",
    query: `{ luke: human(id: "1000") { ...HumanFields } leia: human(id: "1003") { ...HumanFields } } fragment HumanFields on Human { name homePlanet }`,
  },
  {
    name: "inline fragments on the interface",
    query: `{ hero { name ... on Droid { primaryFunction } ... on Human { homePlanet } } }`,
  },
  {
    name: "fragments on interface inside friends list",
    query: `{ hero(episode: EMPIRE) { friends { ...CharacterFields ... on Droid { primaryFunction } } } } fragment CharacterFields on Character { id name appearsIn }`,
  },
  { name: "variables for the episode", query: `query ($ep: Episode) { hero(episode: $ep) { name } }`, variableValues: { ep: "EMPIRE" } },
  { name: "variable with default", query: `query ($ep: Episode = JEDI) { hero(episode: $ep) { name } }` },
  { name: "variable id for a human", query: `query ($id: ID!) { human(id: $id) { name } }`, variableValues: { id: "1001" } },
  { name: "variable id given as number", query: `query ($id: ID!) { human(id: $id) { name } }`, variableValues: { id: 1003 } },
  { name: "secret backstory error on human", query: `{ hero(episode: EMPIRE) { name secretBackstory } }` },
  { name: "secret backstory rejected on droid", query: `{ hero { name secretBackstory } }` },
  { name: "secret backstory on every friend", query: `{ hero { name friends { name secretBackstory } } }` },
  { name: "aliased secret backstory errors", query: `{ luke: human(id: "1000") { backstory: secretBackstory } }` },
  { name: "non-null list of characters", query: `{ characters { __typename name } }` },
  {
    name: "characters with a missing id bubbles to data null",
    query: `{ characters(ids: ["1000", "2000", "9999"]) { name } }`,
    // graphql-js stops at the null item synchronously, without waiting for the droid's pending name
    knownDifference: "sync-abort",
  },
  { name: "characters with a missing first id bubbles to data null", query: `{ hero { name } characters(ids: ["9999"]) { name } }`, ...syncAbortOn17 },
  { name: "characters by ids with fragments", query: `{ characters(ids: ["2001", "1004"]) { id ... on Human { homePlanet friendCount } ... on Droid { primaryFunction } } }` },
  { name: "search union with typename", query: `{ search(text: "o") { __typename ... on Human { name } ... on Droid { name primaryFunction } } }` },
  { name: "search union without matches", query: `{ search(text: "zzz") { __typename } }` },
  { name: "search union nested friends", query: `{ search(text: "r2") { ... on Droid { name friends { name ... on Human { homePlanet } } } } }` },
  { name: "episodes leaf list with a promise item", query: `{ episodes }` },
  { name: "__typename at the root", query: `{ __typename hero { __typename } }` },
  {
    name: "skip and include literals",
    query: `{ hero { name @skip(if: true) id @include(if: true) friends @include(if: false) { name } } }`,
  },
  {
    name: "skip and include variables",
    query: `query ($skip: Boolean!, $inc: Boolean!) { hero { name @skip(if: $skip) id @include(if: $inc) friends @include(if: $inc) { name @skip(if: $skip) } } }`,
    variableValues: { skip: false, inc: true },
  },
  {
    name: "skip on fragment spreads",
    query: `query ($s: Boolean!) { hero { ...F @skip(if: $s) ... on Droid @include(if: true) { primaryFunction } } } fragment F on Character { name }`,
    variableValues: { s: true },
  },
  {
    name: "the same field selected three times merges its selections",
    query: `{ hero { name } hero { friends { name } } ... on Query { hero { id friends { id } } } }`,
  },
  {
    name: "skip and include variables, the other way round",
    query: `query ($skip: Boolean!, $inc: Boolean!) { hero { name @skip(if: $skip) id @include(if: $inc) friends @include(if: $inc) { name @skip(if: $skip) } } }`,
    variableValues: { skip: true, inc: false },
  },
  { name: "operation name selects the operation", query: `query A { hero { name } } query B { human(id: "1000") { name } }`, operationName: "B" },
];

registerCases(test, schema, cases, { calls });

test.run();
