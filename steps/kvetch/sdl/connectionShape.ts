// Connections in annotated SDL: a type is a connection when it has `edges` (whose type has `node`) and
// `pageInfo`, as Relay has it. Recognised by those names, a connection is then checked field by field against
// what the connection plans give each field, so a shape they cannot fill is refused when the schema is built
// instead of failing (or reading null) on every request.

import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLOutputType, type GraphQLSchema } from "graphql";
import { misuse, type DirectiveUse } from "./directives.js";

/** The three types of a connection field: the connection, its edge type and its PageInfo type. */
export interface ConnectionShape {
  connection: string;
  edge: string;
  pageInfo: string;
}

/** The connection named `name` and the type of its nodes, when it has the names of one. */
export function connectionShape(schema: GraphQLSchema, name: string): (ConnectionShape & { nodeType: string }) | null {
  const type = schema.getType(name);
  if (!isObjectType(type)) return null;
  const edges = type.getFields().edges;
  const pageInfo = type.getFields().pageInfo;
  const edge = edges && getNamedType(edges.type);
  const node = isObjectType(edge) ? edge.getFields().node : undefined;
  if (!node || !pageInfo) return null;
  return { connection: name, edge: edge!.name, pageInfo: getNamedType(pageInfo.type).name, nodeType: getNamedType(node.type).name };
}

const nullable = (type: GraphQLOutputType): GraphQLOutputType => (isNonNullType(type) ? type.ofType : type);

/** What each field of a connection's three types must be for the plans that fill it; a field not listed is the user's. */
const FIELDS: Record<keyof ConnectionShape, Record<string, { want: string; fits: (type: GraphQLOutputType) => boolean }>> = {
  connection: {
    edges: { want: "a list of edge objects", fits: (t) => isListType(nullable(t)) && isObjectType(getNamedType(t)) && !isListType(nullable((nullable(t) as { ofType: GraphQLOutputType }).ofType)) },
    pageInfo: { want: "one PageInfo object", fits: (t) => isObjectType(nullable(t)) },
    totalCount: { want: "an Int", fits: (t) => String(nullable(t)) === "Int" },
  },
  edge: {
    node: { want: "one stored object", fits: (t) => isObjectType(nullable(t)) },
    cursor: { want: "a String", fits: (t) => ["String", "ID"].includes(String(nullable(t))) },
  },
  pageInfo: {
    hasNextPage: { want: "a Boolean", fits: (t) => String(nullable(t)) === "Boolean" },
    hasPreviousPage: { want: "a Boolean", fits: (t) => String(nullable(t)) === "Boolean" },
    startCursor: { want: "a String", fits: (t) => ["String", "ID"].includes(String(nullable(t))) },
    endCursor: { want: "a String", fits: (t) => ["String", "ID"].includes(String(nullable(t))) },
  },
};

/**
 * spec (annotated-sdl.md): CheckConnection — each field of the connection, its edge type and its PageInfo that
 * the connection plans fill has the type they fill it with; a misuse error at `use` names the first that has not.
 */
export function checkConnection(schema: GraphQLSchema, shape: ConnectionShape, use: DirectiveUse): void {
  for (const role of ["connection", "edge", "pageInfo"] as const) {
    const fields = (schema.getType(shape[role]) as { getFields?: () => Record<string, GraphQLField<unknown, unknown>> }).getFields?.() ?? {};
    for (const [name, { want, fits }] of Object.entries(FIELDS[role])) {
      const field = Object.hasOwn(fields, name) ? fields[name]! : undefined;
      if (field !== undefined && !fits(field.type)) {
        throw misuse(use, `returns the connection ${shape.connection}, whose ${shape[role]}.${name} must be ${want} for the connection plans to fill it; got ${field.type}`);
      }
    }
  }
}

/** The fields of `type` the connection plans fill (all but those the SDL does not declare). */
export function declaredFields(schema: GraphQLSchema, type: string): ReadonlySet<string> {
  const found = schema.getType(type);
  return new Set(isObjectType(found) ? Object.keys(found.getFields()) : []);
}
