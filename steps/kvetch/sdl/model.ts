// Reads annotated SDL into a model: the Kvetch schema config (objects, edges, indexes) and what each
// annotated field does (FieldKind), checking every directive against the types it sits on. Generates the
// connection types a field names but the SDL does not define. Builds no plans and touches no store.

import {
  GraphQLError,
  Kind,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type DocumentNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type NameNode,
} from "graphql";
import { DELETE_RULES, isUuid, type KvetchDeleteRule, type KvetchEdgeConfig, type KvetchIndexConfig, type KvetchObjectTypeConfig } from "../../../src/kvetch/index.js";
import { coerceInputWithProblems } from "../../../src/engine/planning/graphqlAdapter.js";
import { checkPlacements, fieldDirectives, misuse, stripDirectives, typeDirectives, type DirectiveUse } from "./directives.js";
import { checkConnection, connectionShape, type ConnectionShape } from "./connectionShape.js";
import { buildLocatedSchema } from "./sdlErrors.js";
import { Declarations, checkAttrs, type AttrUse } from "./declarations.js";

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
export type { ConnectionShape };

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
  /** Located warnings (an attr that no field declares): makeKvetchSchema returns them. */
  warnings: GraphQLError[];
}

const PAGE_ARGS = new Set(["first", "after"]);

/** An object type as written: `type T { ... }` or `extend type T { ... }` (directives are read from both). */
type ObjectTypeNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

/** What readField needs besides the field: the model so far, the stored types, who declared each stored id. */
interface ReadContext {
  model: SdlModel;
  stored: Set<string>;
  /** "Type.attr" → the field that declared which type's ids it holds, to name both in a conflict. */
  storedIdFrom: Map<string, string>;
  /** @edge/@edgeFromStoredId/@edgeCount naming an edge declared elsewhere; checked once all are read. */
  references: Array<{ use: DirectiveUse; edge: KvetchEdgeConfig }>;
  /** @queryIndex fields; checked against the indexes once all are read. */
  lookups: Array<{ use: DirectiveUse; field: GraphQLField<unknown, unknown> }>;
  /** Type, edge and index names and ids declared so far, with their directives. */
  declared: Declarations;
  /** attrs that name no field of their type; checked once the mutations are read. */
  attrs: AttrUse[];
}

/** spec: ReadAnnotatedSdl — the directives of an annotated SDL document read into one model. */
export function readAnnotatedSdl(source: DocumentNode): SdlModel {
  const objectTypes = source.definitions.filter((d): d is ObjectTypeNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION);
  checkPlacements(source);
  // graphql-js would keep its own introspection type of such a name and drop this one, fields and directives.
  const reserved = source.definitions.find((d) => "name" in d && d.name !== undefined && d.name.value.startsWith("__"));
  if (reserved !== undefined) {
    const name = (reserved as { name: NameNode }).name;
    throw new GraphQLError(`makeKvetchSchema: ${name.value}: names starting with __ are reserved for GraphQL introspection; rename the type`, { nodes: name });
  }
  const document = withConnectionTypes(stripDirectives(source), objectTypes);
  const schema = buildLocatedSchema(document);
  for (const node of objectTypes) builtInScalarClash(schema, node);
  const model: SdlModel = { objects: [], edges: [], indexes: [], fields: new Map(), storedIds: new Map(), defaults: new Map(), document, schema, warnings: [] };
  const stored = new Set<string>();
  const declared = new Declarations();
  for (const node of objectTypes) {
    for (const use of typeDirectives(node)) {
      // Also across `type T` and `extend type T`: one type has one typeId.
      if (stored.has(node.name.value)) throw misuse(use, `appears twice on ${node.name.value} (type and extension); give it once`);
      declared.declare(use, "type", node.name.value, use.args.typeId as number);
      model.objects.push({ name: node.name.value, typeId: use.args.typeId as number });
      stored.add(node.name.value);
    }
  }
  const context: ReadContext = { model, stored, storedIdFrom: new Map(), references: [], lookups: [], declared, attrs: [] };
  for (const node of objectTypes) {
    const type = schema.getType(node.name.value) as GraphQLObjectType;
    for (const fieldNode of node.fields ?? []) {
      const field = type.getFields()[fieldNode.name.value]!;
      for (const use of fieldDirectives(type.name, fieldNode)) readField(context, type, field, use);
    }
  }
  for (const { use, edge } of context.references) checkReference(model, use, edge);
  for (const { use, field } of context.lookups) checkLookup(model, use, field);
  checkStoredIdDefaults(model);
  model.warnings = checkAttrs(model, context.attrs);
  return model;
}

/**
 * graphql-js keeps its own ID, String, Int, Float and Boolean and silently drops an object type of that
 * name: its fields and directives would be lost, so the name is refused.
 */
function builtInScalarClash(schema: GraphQLSchema, node: ObjectTypeNode): void {
  const name = node.name.value;
  if (isObjectType(schema.getType(name))) return;
  const use = typeDirectives(node)[0] ?? node.fields?.flatMap((f) => fieldDirectives(name, f))[0];
  const why = `named like GraphQL's built-in scalar ${name}, which graphql-js keeps (dropping this type, its fields and directives); rename the type`;
  throw use ? misuse(use, `is on type ${name}, ${why}`) : new Error(`makeKvetchSchema: type ${name} is ${why}`);
}

/** A `@default` of an attribute holding ids must be an id (UUID): any other value would fail every create that uses it. */
function checkStoredIdDefaults(model: SdlModel): void {
  for (const [type, held] of model.storedIds) {
    for (const [attr, target] of held) {
      const value = model.defaults.get(type)?.get(attr);
      if (value != null && !isUuid(value)) {
        const node = (model.schema.getType(type) as GraphQLObjectType).getFields()[attr]?.astNode ?? undefined; // the field: its @default was stripped
        throw misuse({ where: `${type}.${attr}`, name: "default", node }, `value ${JSON.stringify(value)} is not an object id (a UUID), but ${type}.${attr} holds ${target} ids`);
      }
    }
  }
}

/** One field directive: records the Kvetch declarations and the field's kind (and what to check once all are read). */
function readField(context: ReadContext, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, use: DirectiveUse): void {
  const { model, stored } = context;
  const where = `${type.name}.${field.name}`;
  const args = use.args;
  const root = rootKind(model.schema, type);
  const needStored = (what: string) => {
    if (!stored.has(type.name)) throw misuse(use, `needs ${type.name} to be a stored type (@object) ${what}`);
  };
  switch (use.name) {
    case "default": {
      needStored("to have attributes");
      if (field.name === "id" || !isLeafType(getNamedType(field.type))) throw misuse(use, `needs a stored attribute (a scalar or enum field other than id), got ${field.name}: ${field.type}`);
      // A leaf field's type is also an input type: the default is coerced as a variable of that type would be.
      const { value, problems } = coerceInputWithProblems(args.value, field.type as GraphQLInputType);
      if (problems.length > 0) throw misuse(use, `value ${JSON.stringify(args.value)} does not fit ${field.type}: ${problems.join("; ")}`);
      mapOf(model.defaults, type.name).set(field.name, value);
      return;
    }
    case "index": {
      needStored("to index its attribute");
      // The store indexes an attribute's whole value; a list would be matched as one value, never by element.
      if (!isLeafType(isNonNullType(field.type) ? field.type.ofType : field.type)) throw misuse(use, `needs a scalar or enum attribute, got ${field.type}`);
      context.declared.declare(use, "index", args.name as string, args.indexId as number);
      model.indexes.push({ name: args.name as string, indexId: args.indexId as number, indexedType: type.name, indexedAttr: field.name, unique: args.unique === true });
      return;
    }
    case "edge":
    case "edgeFromStoredId": {
      // attr becomes an input field of generated SDL: it must be a GraphQL name, or it would break or inject into that SDL.
      if (use.name === "edgeFromStoredId" && !isGraphqlName(args.attr as string)) {
        throw misuse(use, `attr ${JSON.stringify(args.attr)} is not a GraphQL name (letters, digits and _, not starting with a digit or __)`);
      }
      needStored(`for ${use.name === "edge" ? "an edge" : "a derived edge"} to start from it`);
      const target = edgeTarget(model.schema, field.type, stored);
      if (target === null) throw misuse(use, `needs a list or connection of a stored type (@object), or one stored object; got ${field.type}`);
      if (args.onDelete != null && (target.single || args.edgeId == null)) {
        throw misuse(use, `onDelete belongs where the derived edge is declared: on the parent's list or connection field, with edgeId`);
      }
      if (args.onDelete != null && !DELETE_RULES.includes(args.onDelete as KvetchDeleteRule)) {
        throw misuse(use, `onDelete ${JSON.stringify(args.onDelete)} is no delete rule; use ${DELETE_RULES.map((r) => JSON.stringify(r)).join(", ")}, or leave it out (the children keep the id)`);
      }
      if (target.single) {
        if (use.name === "edge") throw misuse(use, `needs a list or connection; a single object comes from a stored id: @edgeFromStoredId(attr: "...")`);
        storeId(context, use, type.name, args.attr as string, target.nodeType);
        model.fields.set(where, { kind: "objectFromStoredId", attr: args.attr as string, nodeType: target.nodeType });
        return;
      }
      if (target.connection !== null) {
        if (!stored.has(target.nodeType)) throw misuse(use, `returns the connection ${target.connection.connection}, whose ${target.connection.edge}.node is ${target.nodeType}, not a stored type (@object)`);
        checkConnection(model.schema, target.connection, use);
      }
      checkPaging(field, use);
      if (typeof args.name !== "string") throw misuse(use, `on a list or connection needs the edge's name: @${use.name}(name: "...", edgeId: N${use.name === "edge" ? "" : `, attr: "..."`})`);
      model.fields.set(where, { kind: "edges", edge: args.name, nodeType: target.nodeType, connection: target.connection });
      const derived = use.name === "edgeFromStoredId";
      const edge: KvetchEdgeConfig = derived
        ? { name: args.name, edgeId: args.edgeId as number, fromType: type.name, storedIdAttr: args.attr as string, storedOnType: target.nodeType, ...(args.onDelete != null && { onDelete: args.onDelete as KvetchDeleteRule }) }
        : { name: args.name, edgeId: args.edgeId as number, fromType: type.name, toType: target.nodeType };
      if (args.edgeId == null) {
        context.references.push({ use, edge });
        return;
      }
      context.declared.declare(use, "edge", edge.name, edge.edgeId);
      model.edges.push(edge);
      if (derived) storeId(context, use, target.nodeType, args.attr as string, type.name);
      return;
    }
    case "edgeCount":
      needStored("to count its edges");
      // One count per object: a list of Int would fail every read ("Expected Iterable").
      if ((isNonNullType(field.type) ? field.type.ofType : field.type) !== getNamedType(field.type) || getNamedType(field.type).name !== "Int") {
        throw misuse(use, `needs an Int or Int! field, got ${field.type}`);
      }
      model.fields.set(where, { kind: "edgeCount", edge: args.edge as string });
      context.references.push({ use, edge: { name: args.edge as string, edgeId: 0, fromType: type.name } });
      return;
    case "readObject":
    case "queryIndex":
      if (root !== "query") throw misuse(use, `belongs on a field of the Query type`);
      if (use.name === "queryIndex") checkPaging(field, use);
      model.fields.set(where, readRootField(stored, field, use));
      if (use.name === "queryIndex") context.lookups.push({ use, field });
      return;
    default: {
      if (root !== "mutation") throw misuse(use, `belongs on a field of the Mutation type`);
      if (use.name === "deleteObject") {
        if (!stored.has(args.type as string)) throw misuse(use, `names type "${args.type}", which is not a stored type (@object); stored: ${[...stored].join(", ")}`);
        idArgument(field, use, true);
        model.fields.set(where, { kind: "deleteObject", nodeType: args.type as string });
        return;
      }
      const nodeType = getNamedType(field.type).name;
      if (!stored.has(nodeType) || isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) {
        throw misuse(use, `needs the field to return one stored object (@object), got ${field.type}`);
      }
      if (use.name === "updateObject" && field.args.length > 0) idArgument(field, use, true);
      model.fields.set(where, { kind: use.name as "createObject" | "updateObject", nodeType });
      return;
    }
  }
}

/** Records that `type.attr` holds ids of `target`; one attribute cannot hold ids of two types. */
function storeId(context: ReadContext, use: DirectiveUse, type: string, attr: string, target: string): void {
  if (attr === "id") throw misuse(use, `attr "id" names the object's own id, which cannot hold another object's id; use another attr`);
  const field = (context.model.schema.getType(type) as GraphQLObjectType).getFields()[attr];
  const fieldType = field && (isNonNullType(field.type) ? field.type.ofType : field.type);
  if (field && (fieldType !== getNamedType(field.type) || fieldType.name !== "ID")) {
    throw misuse(use, `attr "${attr}" names the field ${type}.${attr}: ${field.type}; an attribute holding ids must be of type ID (declare it ${attr}: ID) or use another attr`);
  }
  if (!field && !context.storedIdFrom.has(`${type}.${attr}`)) context.attrs.push({ use, type, attr });
  const held = mapOf(context.model.storedIds, type);
  const previous = held.get(attr);
  if (previous !== undefined && previous !== target) {
    throw misuse(use, `declares that ${type}.${attr} holds ${target} ids, but ${context.storedIdFrom.get(`${type}.${attr}`)} declares it holds ${previous} ids; use another attr`);
  }
  held.set(attr, target);
  if (!context.storedIdFrom.has(`${type}.${attr}`)) context.storedIdFrom.set(`${type}.${attr}`, use.where);
}

function readRootField(stored: Set<string>, field: GraphQLField<unknown, unknown>, use: DirectiveUse): FieldKind {
  const nodeType = getNamedType(field.type).name;
  if (!stored.has(nodeType)) throw misuse(use, `needs the field to return a stored type (@object), got ${field.type}`);
  const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (use.name === "readObject") {
    if (isListType(unwrapped)) throw misuse(use, `returns one object; got a list (${field.type})`);
    return { kind: "readObject", nodeType, idArg: idArgument(field, use, false) };
  }
  const values = field.args.filter((a) => !PAGE_ARGS.has(a.name));
  if (values.length !== 1) throw misuse(use, `needs exactly one argument besides first/after (the indexed value), got ${values.map((a) => a.name).join(", ") || "none"}`);
  return { kind: "queryIndex", index: use.args.index as string, nodeType, valueArg: values[0]!.name, list: isListType(unwrapped) };
}

/** The plan passes `first` and `after` to the store, which takes a count and a cursor: they must be Int and String. */
function checkPaging(field: GraphQLField<unknown, unknown>, use: DirectiveUse): void {
  for (const [name, type] of [["first", "Int"], ["after", "String"]] as const) {
    const arg = field.args.find((a) => a.name === name);
    if (arg && String(isNonNullType(arg.type) ? arg.type.ofType : arg.type) !== type) {
      throw misuse(use, `argument ${name}: ${arg.type} is passed to the store as ${name === "first" ? "a count" : "a cursor"}; declare it ${name}: ${type}`);
    }
  }
}

/**
 * The field's id argument: `id: ID!`, or its only argument. A write's must be non-null (a null id would name
 * no object and skip the check); a read's may be nullable (null reads null). Never a list.
 */
function idArgument(field: GraphQLField<unknown, unknown>, use: DirectiveUse, nonNull: boolean): string {
  const arg = field.args.find((a) => a.name === "id") ?? (field.args.length === 1 ? field.args[0] : undefined);
  const nullable = arg && (isNonNullType(arg.type) ? arg.type.ofType : arg.type);
  if (!arg || nullable !== getNamedType(arg.type) || nullable.name !== "ID" || (nonNull && !isNonNullType(arg.type))) {
    throw misuse(use, `needs an argument id: ID!${arg ? `; got ${arg.name}: ${arg.type}` : ""}`);
  }
  return arg.name;
}

/**
 * An edge named without edgeId (by @edge or @edgeFromStoredId) must be declared elsewhere alike: same kind,
 * attribute and types. The edge @edgeCount counts must go from the field's type (from another, it counts 0).
 */
function checkReference(model: SdlModel, use: DirectiveUse, ref: KvetchEdgeConfig): void {
  const declared = model.edges.find((e) => e.name === ref.name);
  const names = model.edges.map((e) => JSON.stringify(e.name)).join(", ") || "none";
  if (!declared) throw misuse(use, `names edge "${ref.name}", which no field declares (with edgeId); declared: ${names}`);
  const declaredTo = declared.toType ?? declared.storedOnType;
  if (ref.edgeId === 0) {
    if (ref.fromType !== declared.fromType) throw misuse(use, `counts edge "${ref.name}", which goes from ${declared.fromType} to ${declaredTo}, not from ${ref.fromType}`);
    return;
  }
  if ((ref.storedIdAttr ?? null) !== (declared.storedIdAttr ?? null) || ref.fromType !== declared.fromType || (ref.toType ?? ref.storedOnType) !== declaredTo) {
    throw misuse(use, `names edge "${ref.name}" but differs from its declaration (from ${declared.fromType} to ${declaredTo}${declared.storedIdAttr ? `, attr ${declared.storedIdAttr}` : ""})`);
  }
}

/** A @queryIndex field must name a declared index over its return type, and its value argument have the attribute's type. */
function checkLookup(model: SdlModel, use: DirectiveUse, field: GraphQLField<unknown, unknown>): void {
  const kind = model.fields.get(use.where) as Extract<FieldKind, { kind: "queryIndex" }>;
  const index = model.indexes.find((i) => i.name === kind.index);
  const names = model.indexes.map((i) => JSON.stringify(i.name)).join(", ") || "none";
  if (!index) throw misuse(use, `names index "${kind.index}", which no field declares (@index); declared: ${names}`);
  if (index.indexedType !== kind.nodeType) throw misuse(use, `names index "${index.name}", which is over ${index.indexedType}.${index.indexedAttr}, but the field returns ${kind.nodeType}`);
  const attr = (model.schema.getType(index.indexedType) as GraphQLObjectType).getFields()[index.indexedAttr]!;
  const arg = field.args.find((a) => a.name === kind.valueArg)!;
  const argType = isNonNullType(arg.type) ? arg.type.ofType : arg.type;
  if (argType !== getNamedType(attr.type)) {
    throw misuse(use, `argument ${arg.name}: ${arg.type} cannot match index "${index.name}" over ${index.indexedType}.${index.indexedAttr}: ${attr.type}; declare it ${arg.name}: ${getNamedType(attr.type)}`);
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

function rootKind(schema: GraphQLSchema, type: GraphQLObjectType): "query" | "mutation" | null {
  if (schema.getQueryType() === type) return "query";
  if (schema.getMutationType() === type) return "mutation";
  return null;
}

/** A GraphQL Name not reserved for introspection. */
function isGraphqlName(name: string): boolean {
  return /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) && !name.startsWith("__");
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
function withConnectionTypes(document: DocumentNode, objectTypes: readonly ObjectTypeNode[]): DocumentNode {
  const defined = new Set(document.definitions.flatMap((d) => ("name" in d && d.name ? [d.name.value] : [])));
  const generated = new Set<string>();
  const sdl: string[] = [];
  for (const typeNode of objectTypes) {
    for (const field of typeNode.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === "edge" || d.name.value === "edgeFromStoredId");
      if (!directive) continue;
      let t = field.type;
      while (t.kind !== Kind.NAMED_TYPE) t = t.type;
      const name = t.name.value;
      const node = name.replace(/Connection$/, "");
      if (defined.has(name) || node === name || !defined.has(node)) continue;
      const use = { where: `${typeNode.name.value}.${field.name.value}`, name: directive.name.value, node: directive };
      // A user type of a helper's name would collide with it (or, for PageInfo, be planned as one).
      if (defined.has(`${node}Edge`) && !generated.has(`${node}Edge`)) {
        throw misuse(use, `generates ${name} with the edge type ${node}Edge, which the SDL already defines; define ${name} yourself (edges { cursor node } and pageInfo) or rename ${node}Edge`);
      }
      if (defined.has("PageInfo") && !generated.has("PageInfo") && !isPageInfo(document)) {
        throw misuse(use, `generates ${name} over the SDL's PageInfo, which is not an object type with hasNextPage, hasPreviousPage, startCursor and endCursor; define it so or rename it`);
      }
      defined.add(name);
      generated.add(`${node}Edge`);
      sdl.push(`type ${name} { edges: [${node}Edge!]! pageInfo: PageInfo! totalCount: Int! }`, `type ${node}Edge { cursor: String! node: ${node} }`);
      if (!defined.has("PageInfo")) {
        defined.add("PageInfo");
        generated.add("PageInfo");
        sdl.push("type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }");
      }
    }
  }
  if (sdl.length === 0) return document;
  return { ...document, definitions: [...document.definitions, ...parse(sdl.join("\n")).definitions] };
}

/** The document's PageInfo is one the connection plans can fill: an object type with the four Relay fields (extensions included). */
function isPageInfo(document: DocumentNode): boolean {
  const nodes = document.definitions.filter((d) => "name" in d && d.name?.value === "PageInfo");
  if (!nodes.every((d): d is ObjectTypeNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION)) return false;
  const names = new Set(nodes.flatMap((d) => d.fields?.map((f) => f.name.value) ?? []));
  return ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"].every((n) => names.has(n));
}
