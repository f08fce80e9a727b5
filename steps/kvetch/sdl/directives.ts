// The directives of annotated SDL: their definitions (printed by `graphscale schema print --directives` for
// editors and linters) and reading them off the user's AST. Directives are read here and stripped from the
// schema that executes; never looks at plans or the store.

import {
  GraphQLError,
  Kind,
  buildASTSchema,
  getDirectiveValues,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLDirective,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type ASTNode,
  type EnumValueDefinitionNode,
  type InputValueDefinitionNode,
} from "graphql";

/** Every directive annotated SDL understands, as SDL. `_KvetchValue` is any literal (for `@default`). */
export const kvetchDirectiveTypeDefs = /* GraphQL */ `
"""A stored Kvetch object type; typeId is stored with every object and must never change."""
directive @object(typeId: Int!) on OBJECT
"""A stored edge from this object to the list's (or connection's) objects; without edgeId, an edge declared elsewhere."""
directive @edge(name: String!, edgeId: Int) on FIELD_DEFINITION
"""
A derived edge: the child objects store this object's id in attr. On a single-object field: this object stores that object's id in attr.
onDelete (where the edge is declared, with edgeId): what deleting this object does to the children: "restrict", "cascade" or "setNull"; absent: nothing.
"""
directive @edgeFromStoredId(name: String, edgeId: Int, attr: String!, onDelete: String) on FIELD_DEFINITION
"""The stored number of edges of a declared edge from this object."""
directive @edgeCount(edge: String!) on FIELD_DEFINITION
"""An index over this stored attribute; with unique: true, at most one object per value (a second is refused with UNIQUE_VIOLATION)."""
directive @index(name: String!, indexId: Int!, unique: Boolean = false) on FIELD_DEFINITION
"""The value this attribute is created with when a create mutation does not give it."""
directive @default(value: _KvetchValue!) on FIELD_DEFINITION
"""A root field loading one object by its id argument."""
directive @readObject on FIELD_DEFINITION
"""A root field looking objects up by the value of its one non-paging argument in an index."""
directive @queryIndex(index: String!) on FIELD_DEFINITION
"""A mutation creating one object of its return type from its arguments (or a generated input)."""
directive @createObject on FIELD_DEFINITION
"""A mutation updating the object id of its return type with its other arguments (or a generated input)."""
directive @updateObject on FIELD_DEFINITION
"""A mutation deleting the object id, which must be of type."""
directive @deleteObject(type: String!) on FIELD_DEFINITION
scalar _KvetchValue
`;

const definitions = buildASTSchema(parse(kvetchDirectiveTypeDefs), { assumeValidSDL: true });

/** The names of the directives above. */
export const KVETCH_DIRECTIVES = new Set(definitions.getDirectives().map((d) => d.name).filter((n) => definitions.getDirective(n)!.astNode));

/** One directive as written on a type or a field, with its arguments coerced. */
export interface DirectiveUse {
  readonly name: string;
  readonly args: { readonly [arg: string]: unknown };
  /** "Type" or "Type.field", for messages. */
  readonly where: string;
  /** The directive as written, for the error's line and column. */
  readonly node?: ASTNode;
}

/**
 * A schema-build error naming where (type, field) and which directive; a GraphQLError whose `locations` give
 * the directive's line and column in the SDL when the use carries its node (`graphscale schema` prints them).
 */
export function misuse(use: { where: string; name: string; node?: ASTNode }, message: string): Error {
  return new GraphQLError(`makeKvetchSchema: ${use.where}: @${use.name} ${message}`, { nodes: use.node });
}

function read(node: { directives?: readonly ConstDirectiveNode[] }, where: string): DirectiveUse[] {
  const out: DirectiveUse[] = [];
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (!KVETCH_DIRECTIVES.has(name)) continue;
    const def = definitions.getDirective(name) as GraphQLDirective;
    // graphql-js's getDirectiveValues ignores arguments the definition lacks: a misspelt one would be dropped.
    const at = { where, name, node: directive };
    if (out.some((u) => u.name === name)) throw misuse(at, `appears twice; give it once`);
    for (const arg of directive.arguments ?? []) {
      const known = def.args.map((a) => a.name);
      if (!known.includes(arg.name.value)) throw misuse(at, `has no argument "${arg.name.value}" (arguments: ${known.join(", ") || "none"})`);
      if (directive.arguments!.filter((a) => a.name.value === arg.name.value).length > 1) throw misuse(at, `gives argument "${arg.name.value}" twice`);
    }
    let args: { [arg: string]: unknown };
    try {
      args = getDirectiveValues(def, { directives: [directive] }) ?? {};
    } catch (error) {
      throw misuse(at, `is malformed: ${(error as GraphQLError).message}`);
    }
    out.push({ name, args, where, node: directive });
  }
  return out;
}

/** The Kvetch directives of an object type definition (or extension). */
export function typeDirectives(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode): DirectiveUse[] {
  const uses = read(node, node.name.value);
  const misplaced = uses.find((u) => u.name !== "object");
  if (misplaced) throw misuse(misplaced, "belongs on a field, not on a type");
  return uses;
}

/** The Kvetch directives of a field definition. */
export function fieldDirectives(type: string, node: FieldDefinitionNode): DirectiveUse[] {
  const uses = read(node, `${type}.${node.name.value}`);
  const misplaced = uses.find((u) => u.name === "object");
  if (misplaced) throw misuse(misplaced, "belongs on a type, not on a field");
  const planning = uses.filter((u) => u.name !== "default");
  if (planning.length > 1) throw misuse(planning[1]!, `cannot be combined with @${planning[0]!.name} on one field`);
  return uses;
}

/** What a definition or its part is, for a directive placed where Kvetch's do not go. */
const PLACES: Partial<Record<string, string>> = {
  [Kind.INTERFACE_TYPE_DEFINITION]: "an interface",
  [Kind.INTERFACE_TYPE_EXTENSION]: "an interface",
  [Kind.FIELD_DEFINITION]: "an interface's field",
  [Kind.UNION_TYPE_DEFINITION]: "a union",
  [Kind.UNION_TYPE_EXTENSION]: "a union",
  [Kind.ENUM_TYPE_DEFINITION]: "an enum",
  [Kind.ENUM_TYPE_EXTENSION]: "an enum",
  [Kind.ENUM_VALUE_DEFINITION]: "an enum value",
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: "an input type",
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: "an input type",
  [Kind.INPUT_VALUE_DEFINITION]: "an argument or input field",
  [Kind.SCALAR_TYPE_DEFINITION]: "a scalar",
  [Kind.SCALAR_TYPE_EXTENSION]: "a scalar",
  [Kind.SCHEMA_DEFINITION]: "the schema definition",
  [Kind.SCHEMA_EXTENSION]: "the schema definition",
};

/**
 * Kvetch directives go on object types and their fields only: one anywhere else (an interface's field, an
 * argument, an input field, an enum value, another kind of type) is a misuse error located at it, instead of
 * graphql-js's "Unknown directive" once the Kvetch ones are stripped.
 */
export function checkPlacements(document: DocumentNode): void {
  for (const definition of document.definitions) {
    const typeName = "name" in definition && definition.name ? definition.name.value : "schema";
    const isObject = definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION;
    const misplaced = (node: { kind: string; directives?: readonly ConstDirectiveNode[] }, where: string): void => {
      const directive = node.directives?.find((d) => KVETCH_DIRECTIVES.has(d.name.value));
      if (directive) throw misuse({ where, name: directive.name.value, node: directive }, `belongs on an object type or its fields, not on ${PLACES[node.kind] ?? "this definition"}`);
    };
    if (!isObject && definition.kind !== Kind.DIRECTIVE_DEFINITION) misplaced(definition as { kind: string; directives?: readonly ConstDirectiveNode[] }, typeName);
    const parts = definition as { fields?: readonly (FieldDefinitionNode | InputValueDefinitionNode)[]; values?: readonly EnumValueDefinitionNode[] };
    for (const field of parts.fields ?? []) {
      const where = `${typeName}.${field.name.value}`;
      if (!isObject) misplaced(field, where);
      for (const arg of (field as FieldDefinitionNode).arguments ?? []) misplaced(arg, `${where}(${arg.name.value}:)`);
    }
    for (const value of parts.values ?? []) misplaced(value, `${typeName}.${value.name.value}`);
  }
}

/** The document without the Kvetch directives (and without their definitions, if the user declared them). */
export function stripDirectives(document: DocumentNode): DocumentNode {
  const keep = (node: { directives?: readonly ConstDirectiveNode[] }) => (node.directives ?? []).filter((d) => !KVETCH_DIRECTIVES.has(d.name.value));
  const definitions = document.definitions
    .filter((d) => !(d.kind === Kind.DIRECTIVE_DEFINITION && KVETCH_DIRECTIVES.has(d.name.value)))
    .filter((d) => !(d.kind === Kind.SCALAR_TYPE_DEFINITION && d.name.value === "_KvetchValue"))
    .map((d) => {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) return d;
      return { ...d, directives: keep(d), fields: d.fields?.map((f) => ({ ...f, directives: keep(f) })) };
    });
  return { ...document, definitions };
}
