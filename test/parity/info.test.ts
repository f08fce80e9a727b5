// Parity: what a resolver is given and what it may give back — `info` complete and correct at every
// depth (path via responsePathAsArray with typenames, field and parent, return type, variables,
// operation, fragments, field nodes), the default resolver calling rootValue methods with (args, context,
// info), the fieldResolver/typeResolver arguments, and errors thrown or returned in every shape.

import { test } from "uvu";
import {
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  responsePathAsArray,
  type GraphQLResolveInfo,
} from "graphql";
import { registerCases, type ParityCase } from "./harness.js";

interface Context {
  log: string[];
  user: string;
}

function pathWithTypenames(info: GraphQLResolveInfo): string {
  const parts: string[] = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) parts.push(`${p.key}${p.typename ? `@${p.typename}` : ""}`);
  return parts.reverse().join("/");
}

/** Everything in `info` a resolver could depend on, as one string. */
function describeInfo(info: GraphQLResolveInfo, source: unknown, args: unknown, context: Context): string {
  return JSON.stringify({
    path: responsePathAsArray(info.path),
    typenames: pathWithTypenames(info),
    fieldName: info.fieldName,
    parentType: info.parentType.name,
    returnType: info.returnType.toString(),
    fieldNodes: info.fieldNodes.map((n) => `${n.alias ? `${n.alias.value}:` : ""}${n.name.value}@${n.loc?.start}`),
    fragments: Object.keys(info.fragments).sort(),
    fragmentsProto: Object.getPrototypeOf(info.fragments) === null,
    operation: `${info.operation.operation} ${info.operation.name?.value ?? "(anonymous)"}`,
    variableValues: info.variableValues,
    rootValueIsRoot: info.rootValue === rootValue,
    schemaIsSchema: info.schema === schema,
    source: typeof source === "object" && source !== null ? Object.keys(source).length : source,
    args,
    user: context.user,
  });
}

const infoField = {
  type: GraphQLString,
  args: { tag: { type: GraphQLString } },
  resolve: (source: unknown, args: unknown, context: Context, info: GraphQLResolveInfo) => describeInfo(info, source, args, context),
};

const thingInterface: GraphQLInterfaceType = new GraphQLInterfaceType({
  name: "Thing",
  fields: () => ({ info: infoField, id: { type: GraphQLID } }),
  resolveType(value: { kind: string }, context: Context, info) {
    context.log.push(`resolveType ${value.kind} at ${pathWithTypenames(info)} for ${info.fieldName} (${info.returnType})`);
    return value.kind;
  },
});

const widgetType: GraphQLObjectType = new GraphQLObjectType({
  name: "Widget",
  interfaces: [thingInterface],
  isTypeOf(value: { kind: string }, context: Context, info) {
    context.log.push(`isTypeOf Widget ${value.kind} at ${pathWithTypenames(info)}`);
    return value.kind === "Widget";
  },
  fields: () => ({ info: infoField, id: { type: GraphQLID }, parts: { type: new GraphQLList(thingInterface) } }),
});

const gadgetType: GraphQLObjectType = new GraphQLObjectType({
  name: "Gadget",
  interfaces: [thingInterface],
  fields: () => ({ info: infoField, id: { type: GraphQLID }, inner: { type: itemType } }),
});

const itemType: GraphQLObjectType = new GraphQLObjectType({
  name: "Item",
  fields: () => ({
    info: infoField,
    id: { type: GraphQLID },
    children: { type: new GraphQLList(itemType), resolve: (item: { id: number }) => (item.id < 3 ? [{ id: item.id * 10 }, { id: item.id * 10 + 1 }] : []) },
  }),
});

/** Objects whose fields the default resolver finds as methods, called with (args, context, info). */
const methodsType: GraphQLObjectType = new GraphQLObjectType({
  name: "Methods",
  fields: () => ({
    greet: { type: GraphQLString, args: { name: { type: GraphQLString, defaultValue: "you" } } },
    self: { type: GraphQLString },
    asyncValue: { type: GraphQLInt },
    property: { type: GraphQLString },
    nested: { type: methodsType },
    list: { type: new GraphQLList(GraphQLString) },
  }),
});

function methods(level: number): Record<string, unknown> {
  return {
    level,
    greet(args: { name: string }, context: Context, info: GraphQLResolveInfo) {
      return `hello ${args.name} from ${context.user} at ${responsePathAsArray(info.path).join(".")}`;
    },
    self(this: { level: number }) {
      return `this.level=${this.level}`;
    },
    asyncValue: () => Promise.resolve(level * 100),
    property: `plain ${level}`,
    nested: () => (level < 3 ? methods(level + 1) : null),
    list: [`a${level}`, Promise.resolve(`b${level}`)],
  };
}

/** Fields without resolvers: the request's fieldResolver reads them. */
const plainType = new GraphQLObjectType({
  name: "Plain",
  fields: { name: { type: GraphQLString }, size: { type: GraphQLInt }, where: { type: GraphQLString } },
});

const kindedInterface = new GraphQLInterfaceType({
  name: "Kinded",
  fields: { name: { type: GraphQLString } },
});
const kindA = new GraphQLObjectType({ name: "KindA", interfaces: [kindedInterface], fields: { name: { type: GraphQLString }, a: { type: GraphQLInt } } });
const kindB = new GraphQLObjectType({ name: "KindB", interfaces: [kindedInterface], fields: { name: { type: GraphQLString }, b: { type: GraphQLInt } } });
const kindUnion = new GraphQLUnionType({ name: "KindAOrB", types: [kindA, kindB] });

class CustomError extends Error {
  readonly extensions = { code: "CUSTOM", detail: { n: 1 } };
  constructor(message: string) {
    super(message);
    this.name = "CustomError";
  }
}

const errorsType = new GraphQLObjectType({
  name: "Errors",
  fields: {
    throwsString: {
      type: GraphQLString,
      resolve: () => {
        throw "a thrown string";
      },
    },
    throwsObject: {
      type: GraphQLString,
      resolve: () => {
        throw { message: "a thrown object" };
      },
    },
    throwsNull: {
      type: GraphQLString,
      resolve: () => {
        throw null;
      },
    },
    throwsUndefined: {
      type: GraphQLString,
      resolve: () => {
        throw undefined;
      },
    },
    returnsError: { type: GraphQLString, resolve: () => new Error("a returned Error") },
    returnsErrorAsync: { type: GraphQLString, resolve: () => Promise.resolve(new Error("a resolved Error")) },
    rejectsString: { type: GraphQLString, resolve: () => Promise.reject("a rejected string") },
    rejectsObject: { type: GraphQLString, resolve: () => Promise.reject({ reason: 1 }) },
    rejectsEmpty: { type: GraphQLString, resolve: () => Promise.reject(new Error()) },
    throwsGraphQLError: {
      type: GraphQLString,
      resolve: () => {
        throw new GraphQLError("a GraphQLError", { extensions: { code: "TEAPOT" } });
      },
    },
    throwsCustom: {
      type: GraphQLString,
      resolve: () => {
        throw new CustomError("a custom error");
      },
    },
    throwsLocated: {
      type: GraphQLString,
      resolve: () => {
        throw new GraphQLError("an error with its own path", { path: ["somewhere", 1] });
      },
    },
    nonNullThrowsString: {
      type: new GraphQLNonNull(GraphQLString),
      resolve: () => {
        throw "a thrown string at a non-null field";
      },
    },
    errorsInList: {
      type: new GraphQLList(GraphQLString),
      resolve: () => ["ok", new Error("an Error item"), Promise.reject("a rejected string item"), Promise.resolve(new CustomError("a custom item"))],
    },
    thenable: {
      type: GraphQLString,
      // A query-builder style thenable: `then` starts the work and returns a promise.
      resolve: () => ({
        then: (resolve: (v: string) => unknown, reject: (e: unknown) => unknown) => Promise.resolve("from a thenable").then(resolve, reject),
      }),
    },
    rejectingThenable: {
      type: GraphQLString,
      resolve: () => ({
        then: (resolve: (v: string) => unknown, reject: (e: unknown) => unknown) => Promise.reject(new Error("a thenable failed")).then(resolve, reject),
      }),
    },
  },
});

const queryType = new GraphQLObjectType({
  name: "Query",
  fields: () => ({
    info: infoField,
    items: { type: new GraphQLList(itemType), resolve: () => [{ id: 1 }, { id: 2 }] },
    matrix: { type: new GraphQLList(new GraphQLList(itemType)), resolve: () => [[{ id: 5 }], [{ id: 6 }, { id: 7 }]] },
    thing: { type: thingInterface, args: { kind: { type: GraphQLString, defaultValue: "Widget" } }, resolve: (_s, { kind }) => ({ kind, id: 1 }) },
    things: {
      type: new GraphQLList(thingInterface),
      resolve: () => [
        { kind: "Widget", id: 1, parts: [{ kind: "Gadget", id: 2, inner: { id: 3 } }] },
        { kind: "Gadget", id: 4 },
      ],
    },
    methods: { type: methodsType, resolve: (root: { methods: unknown }) => root.methods },
    plain: { type: new GraphQLList(plainType) },
    kinded: { type: new GraphQLList(kindedInterface) },
    kindUnion: { type: new GraphQLList(kindUnion) },
    errors: { type: errorsType, resolve: () => ({}) },
    strictErrors: { type: new GraphQLNonNull(errorsType), resolve: () => ({}) },
  }),
});

const mutationType = new GraphQLObjectType({
  name: "Mutation",
  fields: () => ({
    info: infoField,
    items: { type: new GraphQLList(itemType), resolve: () => Promise.resolve([{ id: 1 }, { id: 2 }]) },
    thing: { type: thingInterface, resolve: () => ({ kind: "Gadget", id: 9, inner: { id: 1 } }) },
  }),
});

const schema = new GraphQLSchema({ query: queryType, mutation: mutationType, types: [widgetType, gadgetType] });

const rootValue = {
  methods: methods(1),
  plain: [
    { name: "one", size: 1 },
    { name: "two", size: 2 },
  ],
  kinded: [
    { kind: "A", name: "first", a: 1 },
    { kind: "B", name: "second", b: 2 },
  ],
  kindUnion: [{ kind: "B", name: "x", b: 3 }],
};

/** A fieldResolver that reads properties in upper case and reports where it ran. */
const fieldResolver = (source: Record<string, unknown>, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
  if (info.fieldName === "where") return `${info.parentType.name}.${info.fieldName} at ${responsePathAsArray(info.path).join(".")}`;
  const value = source[info.fieldName];
  if (typeof value === "function") return value.call(source, _args, _context, info);
  return typeof value === "string" ? value.toUpperCase() : value;
};

const typeResolver = (value: { kind: string }, context: Context, info: GraphQLResolveInfo, abstractType: { name: string }) => {
  context.log.push(`typeResolver ${abstractType.name} at ${pathWithTypenames(info)}`);
  return value.kind === "A" ? "KindA" : "KindB";
};

const fresh = () => ({ contextValue: { log: [], user: "ctx-user" } satisfies Context });
const observe = (context: unknown) => (context as Context).log;

const cases: ParityCase[] = [
  { name: "info at the root", query: `query Root { info }` },
  { name: "info with an alias and arguments", query: `query Root($t: String = "dflt") { first: info(tag: $t) second: info(tag: "lit") }` },
  { name: "info with variables given", query: `query Root($t: String, $unused: Int = 3) { info(tag: $t) }`, variableValues: { t: "given" } },
  { name: "info of merged field nodes across fragments", query: `{ info ...F ... on Query { info } } fragment F on Query { info }` },
  { name: "info inside list items", query: `{ items { info children { info(tag: "deep") children { info } } } }` },
  { name: "info inside nested lists", query: `{ matrix { id info } }` },
  { name: "info under an interface and union members", query: `{ thing { info ... on Widget { id } } things { info ... on Widget { parts { info ... on Gadget { inner { info } } } } } }` },
  { name: "info in a mutation", query: `mutation Change { info(tag: "m") }` },
  { name: "info below mutation fields", query: `mutation Change { first: items { info children { info } } thing { info ... on Gadget { inner { info } } } last: info }` },
  { name: "info in an operation picked by name", query: `query A { info } query B { b: info }`, operationName: "B" },
  { name: "resolveType and isTypeOf see the field's info", query: `{ thing(kind: "Widget") { id } things { id ... on Widget { parts { id } } } }` },
  { name: "default resolver calls methods with (args, context, info) and this", query: `{ methods { greet self property asyncValue list nested { greet(name: "n") self nested { self asyncValue } } } }` },
  { name: "fieldResolver for fields without resolvers", query: `{ plain { name size where } }`, fieldResolver },
  { name: "fieldResolver is not used for fields with resolvers", query: `{ items { id } plain { name } }`, fieldResolver },
  { name: "typeResolver for abstract types without resolveType", query: `{ kinded { __typename name ... on KindA { a } ... on KindB { b } } kindUnion { __typename ... on KindB { b } } }`, typeResolver },
  { name: "resolveType takes precedence over typeResolver", query: `{ thing { __typename } kinded { __typename } }`, typeResolver },
  { name: "without typeResolver the default type resolver fails", query: `{ kinded { name } }` },
  { name: "thrown strings, objects, null and undefined", query: `{ errors { throwsString throwsObject throwsNull throwsUndefined } }` },
  { name: "returned and resolved Error values", query: `{ errors { returnsError returnsErrorAsync } }` },
  { name: "rejections with non-Errors", query: `{ errors { rejectsString rejectsObject rejectsEmpty } }` },
  { name: "GraphQLErrors with extensions and custom errors", query: `{ errors { throwsGraphQLError throwsCustom throwsLocated } }` },
  { name: "a thrown string at a non-null field", query: `{ errors { returnsError nonNullThrowsString } }` },
  { name: "a non-Error at a non-null field under a non-null parent nulls data", query: `{ info strictErrors { nonNullThrowsString } }` },
  { name: "Error values inside a list", query: `{ errors { errorsInList } }` },
  { name: "thenables that are not promises", query: `{ errors { thenable rejectingThenable } }` },
];

registerCases(test, schema, cases, { rootValue, fresh, observe });

test.run();
