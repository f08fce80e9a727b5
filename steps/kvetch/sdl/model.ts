// Reads annotated SDL into a model: the Kvetch schema config (objects, edges, indexes) and what each
// annotated field does (FieldKind), checking every directive against the types it sits on. Generates the
// connection types a field names but the SDL does not define. Builds no plans and touches no store.

import {
  Kind,
  buildASTSchema,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from "graphql";
import type { KvetchEdgeConfig, KvetchIndexConfig, KvetchObjectTypeConfig } from "../../../src/kvetch/index.js";
import { fieldDirectives, misuse, stripDirectives, typeDirectives, type DirectiveUse } from "./directives.js";

/** What an annotated field does; plans.ts turns each kind into a plan resolver. */
export type FieldKind =
  | { kind: "edges"; edge: string; nodeType: string; connection: ConnectionShape | null }
  | { kind: "objectFromStoredId"; attr: string; nodeType: string }
  | { kind: "edgeCount"; edge: string }
  | { kind: "readObject"; nodeType: string; idArg: string }
  | { kind: "queryIndex"; index: string; nodeType: string; valueArg: string; list: boolean }
  | { kind: "createObject"; nodeType: string }
  | { kind: "updateObject"; nodeType: string }
  | { kind: "deleteObject"; nodeType: string };

/** The types of a Relay connection: `edges { cursor node }`, `pageInfo`. */
export interface ConnectionShape {
  connection: string;
  edge: string;
  pageInfo: string;
}

export interface SdlModel {
  objects: KvetchObjectTypeConfig[];
  edges: KvetchEdgeConfig[];
  indexes: KvetchIndexConfig[];
  /** "Type.field" → what it does. */
  fields: Map<string, FieldKind>;
  /** Per object type: attribute → the object type whose id it stores. */
  storedIds: Map<string, Map<string, string>>;
  /** Per object type: attribute → `@default` value. */
  defaults: Map<string, Map<string, unknown>>;
  /** The document without Kvetch directives, with the generated connection types. */
  document: DocumentNode;
  /** That document built (plans not attached yet). */
  schema: GraphQLSchema;
}

const PAGE_ARGS = new Set(["first", "after"]);

/** spec: ReadAnnotatedSdl — the directives of an annotated SDL document read into one model. */
export function readAnnotatedSdl(source: DocumentNode): SdlModel {
  const objectTypes = source.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);
  const document = withConnectionTypes(stripDirectives(source), objectTypes);
  const schema = buildASTSchema(document);
  const model: SdlModel = { objects: [], edges: [], indexes: [], fields: new Map(), storedIds: new Map(), defaults: new Map(), document, schema };
  const stored = new Set<string>();
  for (const node of objectTypes) {
    for (const use of typeDirectives(node)) {
      model.objects.push({ name: node.name.value, typeId: use.args.typeId as number });
      stored.add(node.name.value);
    }
  }
  const references: Array<{ use: DirectiveUse; edge: KvetchEdgeConfig }> = [];
  for (const node of objectTypes) {
    const type = schema.getType(node.name.value) as GraphQLObjectType;
    for (const fieldNode of node.fields ?? []) {
      const field = type.getFields()[fieldNode.name.value]!;
      for (const use of fieldDirectives(type.name, fieldNode)) {
        const reference = readField(model, stored, type, field, use);
        if (reference) references.push({ use, edge: reference });
      }
    }
  }
  for (const { use, edge } of references) checkReference(model, use, edge);
  return model;
}

/** One field directive: records the Kvetch declarations and the field's kind; returns an edge reference to check later. */
function readField(model: SdlModel, stored: Set<string>, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, use: DirectiveUse): KvetchEdgeConfig | null {
  const where = `${type.name}.${field.name}`;
  const args = use.args;
  const root = rootKind(model.schema, type);
  const needStored = (what: string) => {
    if (!stored.has(type.name)) throw misuse(use, `needs ${type.name} to be a stored type (@object) ${what}`);
  };
  switch (use.name) {
    case "default":
      needStored("to have attributes");
      mapOf(model.defaults, type.name).set(field.name, args.value);
      return null;
    case "index": {
      needStored("to index its attribute");
      if (!isLeafType(getNamedType(field.type))) throw misuse(use, `needs a scalar or enum attribute, got ${field.type}`);
      model.indexes.push({ name: args.name as string, indexId: args.indexId as number, indexedType: type.name, indexedAttr: field.name });
      return null;
    }
    case "edge":
    case "edgeFromStoredId": {
      needStored(`for ${use.name === "edge" ? "an edge" : "a derived edge"} to start from it`);
      const target = edgeTarget(model.schema, field.type, stored);
      if (target === null) throw misuse(use, `needs a list or connection of a stored type (@object), or one stored object; got ${field.type}`);
      if (target.single) {
        if (use.name === "edge") throw misuse(use, `needs a list or connection; a single object comes from a stored id: @edgeFromStoredId(attr: "...")`);
        mapOf(model.storedIds, type.name).set(args.attr as string, target.nodeType);
        model.fields.set(where, { kind: "objectFromStoredId", attr: args.attr as string, nodeType: target.nodeType });
        return null;
      }
      if (typeof args.name !== "string") throw misuse(use, `on a list or connection needs the edge's name: @${use.name}(name: "...", edgeId: N${use.name === "edge" ? "" : `, attr: "..."`})`);
      model.fields.set(where, { kind: "edges", edge: args.name, nodeType: target.nodeType, connection: target.connection });
      const derived = use.name === "edgeFromStoredId";
      const edge: KvetchEdgeConfig = derived
        ? { name: args.name, edgeId: args.edgeId as number, fromType: type.name, storedIdAttr: args.attr as string, storedOnType: target.nodeType }
        : { name: args.name, edgeId: args.edgeId as number, fromType: type.name, toType: target.nodeType };
      if (args.edgeId == null) return edge;
      model.edges.push(edge);
      if (derived) mapOf(model.storedIds, target.nodeType).set(args.attr as string, type.name);
      return null;
    }
    case "edgeCount":
      needStored("to count its edges");
      if (getNamedType(field.type).name !== "Int") throw misuse(use, `needs an Int field, got ${field.type}`);
      model.fields.set(where, { kind: "edgeCount", edge: args.edge as string });
      return { name: args.edge as string, edgeId: 0 };
    case "readObject":
    case "queryIndex":
      if (root !== "query") throw misuse(use, `belongs on a field of the Query type`);
      model.fields.set(where, readRootField(stored, field, use));
      return null;
    default: {
      if (root !== "mutation") throw misuse(use, `belongs on a field of the Mutation type`);
      if (use.name === "deleteObject") {
        if (!stored.has(args.type as string)) throw misuse(use, `names type "${args.type}", which is not a stored type (@object); stored: ${[...stored].join(", ")}`);
        idArgument(field, use);
        model.fields.set(where, { kind: "deleteObject", nodeType: args.type as string });
        return null;
      }
      const nodeType = getNamedType(field.type).name;
      if (!stored.has(nodeType) || isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) {
        throw misuse(use, `needs the field to return one stored object (@object), got ${field.type}`);
      }
      if (use.name === "updateObject" && field.args.length > 0) idArgument(field, use);
      model.fields.set(where, { kind: use.name as "createObject" | "updateObject", nodeType });
      return null;
    }
  }
}

function readRootField(stored: Set<string>, field: GraphQLField<unknown, unknown>, use: DirectiveUse): FieldKind {
  const nodeType = getNamedType(field.type).name;
  if (!stored.has(nodeType)) throw misuse(use, `needs the field to return a stored type (@object), got ${field.type}`);
  const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (use.name === "readObject") {
    if (isListType(unwrapped)) throw misuse(use, `returns one object; got a list (${field.type})`);
    return { kind: "readObject", nodeType, idArg: idArgument(field, use) };
  }
  const values = field.args.filter((a) => !PAGE_ARGS.has(a.name));
  if (values.length !== 1) throw misuse(use, `needs exactly one argument besides first/after (the indexed value), got ${values.map((a) => a.name).join(", ") || "none"}`);
  return { kind: "queryIndex", index: use.args.index as string, nodeType, valueArg: values[0]!.name, list: isListType(unwrapped) };
}

/** The field's id argument: `id: ID!`, or its only argument. */
function idArgument(field: GraphQLField<unknown, unknown>, use: DirectiveUse): string {
  const arg = field.args.find((a) => a.name === "id") ?? (field.args.length === 1 ? field.args[0] : undefined);
  if (!arg || getNamedType(arg.type).name !== "ID") throw misuse(use, `needs an argument id: ID!`);
  return arg.name;
}

/** An edge named without edgeId (by @edge, @edgeFromStoredId or @edgeCount) must be declared elsewhere, alike. */
function checkReference(model: SdlModel, use: DirectiveUse, ref: KvetchEdgeConfig): void {
  const declared = model.edges.find((e) => e.name === ref.name);
  const names = model.edges.map((e) => JSON.stringify(e.name)).join(", ") || "none";
  if (!declared) throw misuse(use, `names edge "${ref.name}", which no field declares (with edgeId); declared: ${names}`);
  if (ref.edgeId === 0) return; // @edgeCount: any edge
  if ((ref.storedIdAttr ?? null) !== (declared.storedIdAttr ?? null) || ref.fromType !== declared.fromType) {
    throw misuse(use, `names edge "${ref.name}" but differs from its declaration (from ${declared.fromType}${declared.storedIdAttr ? `, attr ${declared.storedIdAttr}` : ""})`);
  }
}

/** What an edge field points to: one stored object, a list of them, or a connection of them. */
function edgeTarget(schema: GraphQLSchema, type: GraphQLOutputType, stored: Set<string>): { nodeType: string; single: boolean; connection: ConnectionShape | null } | null {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  const named = getNamedType(type);
  if (isListType(unwrapped)) return stored.has(named.name) ? { nodeType: named.name, single: false, connection: null } : null;
  if (stored.has(named.name)) return { nodeType: named.name, single: true, connection: null };
  const connection = connectionShape(schema, named.name);
  return connection ? { nodeType: connection.nodeType, single: false, connection } : null;
}

function connectionShape(schema: GraphQLSchema, name: string): (ConnectionShape & { nodeType: string }) | null {
  const type = schema.getType(name);
  if (!isObjectType(type)) return null;
  const edges = type.getFields().edges;
  const pageInfo = type.getFields().pageInfo;
  const edge = edges && getNamedType(edges.type);
  const node = isObjectType(edge) ? edge.getFields().node : undefined;
  if (!node || !pageInfo) return null;
  return { connection: name, edge: edge!.name, pageInfo: getNamedType(pageInfo.type).name, nodeType: getNamedType(node.type).name };
}

function rootKind(schema: GraphQLSchema, type: GraphQLObjectType): "query" | "mutation" | null {
  if (schema.getQueryType() === type) return "query";
  if (schema.getMutationType() === type) return "mutation";
  return null;
}

function mapOf<V>(maps: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = maps.get(key);
  if (!map) maps.set(key, (map = new Map()));
  return map;
}

/**
 * Connection types a Kvetch field returns but the SDL does not define (`XConnection` of the stored type
 * `X`): `XConnection { edges: [XEdge!]! pageInfo: PageInfo! totalCount: Int! }`, `XEdge { cursor: String!
 * node: X }`, and `PageInfo` unless defined.
 */
function withConnectionTypes(document: DocumentNode, objectTypes: readonly ObjectTypeDefinitionNode[]): DocumentNode {
  const defined = new Set(document.definitions.flatMap((d) => ("name" in d && d.name ? [d.name.value] : [])));
  const sdl: string[] = [];
  for (const node of objectTypes) {
    for (const field of node.fields ?? []) {
      if (!field.directives?.some((d) => d.name.value === "edge" || d.name.value === "edgeFromStoredId")) continue;
      let t = field.type;
      while (t.kind !== Kind.NAMED_TYPE) t = t.type;
      const name = t.name.value;
      const node = name.replace(/Connection$/, "");
      if (defined.has(name) || node === name || !defined.has(node)) continue;
      defined.add(name);
      sdl.push(`type ${name} { edges: [${node}Edge!]! pageInfo: PageInfo! totalCount: Int! }`, `type ${node}Edge { cursor: String! node: ${node} }`);
      if (!defined.has("PageInfo")) {
        defined.add("PageInfo");
        sdl.push("type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }");
      }
    }
  }
  if (sdl.length === 0) return document;
  return { ...document, definitions: [...document.definitions, ...parse(sdl.join("\n")).definitions] };
}

