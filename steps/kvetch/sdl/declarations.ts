// The Kvetch declarations of annotated SDL checked where they are written: a type, edge or index name or id
// declared twice is refused at the second directive, naming the first (its type, field and line:column);
// an `attr` holding ids that no field declares is refused when it differs from one only in case, and a
// warning otherwise. Reads the model; never builds a plan.

import { GraphQLError, getLocation, getNamedType, isInputObjectType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { misuse, type DirectiveUse } from "./directives.js";

/** What checkAttrs reads of the model (model.ts's SdlModel, which imports this file). */
interface AttrModel {
  schema: GraphQLSchema;
  fields: ReadonlyMap<string, { kind: string; nodeType?: string }>;
}

type DeclaredKind = "type" | "edge" | "index";
const ID_NAME: Record<DeclaredKind, string> = { type: "typeId", edge: "edgeId", index: "indexId" };

/** `line:column` of a directive as written (empty when the node carries no location). */
function placeOf(use: DirectiveUse): string {
  const loc = use.node?.loc;
  if (loc === undefined) return "";
  const { line, column } = getLocation(loc.source, loc.start);
  return ` at ${line}:${column}`;
}

/** spec: Declarations — the directive that declared each name and id first (`kind/name/…`, `kind/id/…`). */
export class Declarations {
  private readonly first = new Map<string, { use: DirectiveUse; name: string }>();

  /** Records a declaration; a name or id of its kind declared before is refused, naming both places. */
  declare(use: DirectiveUse, kind: DeclaredKind, name: string, id: number): void {
    const byName = this.first.get(`${kind}/name/${name}`);
    if (byName !== undefined) {
      throw misuse(use, `declares ${kind} "${name}", which ${byName.use.where} (@${byName.use.name}${placeOf(byName.use)}) already declares; ${kind} names are unique`);
    }
    const byId = this.first.get(`${kind}/id/${id}`);
    if (byId !== undefined) {
      throw misuse(
        use,
        `declares ${kind} "${name}" with ${ID_NAME[kind]} ${id}, which ${byId.use.where} (@${byId.use.name}${placeOf(byId.use)}) gives ${kind} "${byId.name}"; ` +
          `ids are stored, so each must be unique`,
      );
    }
    this.first.set(`${kind}/name/${name}`, { use, name });
    this.first.set(`${kind}/id/${id}`, { use, name });
  }
}

/** An `attr` naming where an object type keeps another object's id: the directive, the type, the attribute. */
export interface AttrUse {
  use: DirectiveUse;
  type: string;
  attr: string;
}

/**
 * checkAttrs: each attr against the attributes its type declares — its fields and the arguments (or input
 * fields) of the create and update mutations returning it. One that differs from a declared one only in case
 * is refused naming it (the edge would always be empty); one matching none is a warning listing the fields.
 */
export function checkAttrs(model: AttrModel, attrs: readonly AttrUse[]): GraphQLError[] {
  const warnings: GraphQLError[] = [];
  for (const { use, type, attr } of attrs) {
    const fields = Object.keys((model.schema.getType(type) as GraphQLObjectType).getFields());
    const declared = [...fields.map((field) => ({ name: field, what: `the field ${type}.${field}` })), ...writeArguments(model, type)];
    if (declared.some((d) => d.name === attr)) continue;
    const near = declared.find((d) => d.name.toLowerCase() === attr.toLowerCase());
    if (near !== undefined) throw misuse(use, `attr "${attr}" differs from ${near.what} only in case; attributes are case-sensitive: write attr: "${near.name}"`);
    const message = `makeKvetchSchema: ${use.where}: @${use.name} attr "${attr}" names no field of ${type} (fields: ${fields.join(", ")}) and no argument of a mutation writing it; check the name, or declare it (${attr}: ID)`;
    warnings.push(new GraphQLError(message, { nodes: use.node }));
  }
  return warnings;
}

/** The arguments (and an input object argument's fields) of the create and update mutations of `type`. */
function writeArguments(model: AttrModel, type: string): { name: string; what: string }[] {
  const out: { name: string; what: string }[] = [];
  const mutation = model.schema.getMutationType();
  for (const [where, kind] of model.fields) {
    if ((kind.kind !== "createObject" && kind.kind !== "updateObject") || kind.nodeType !== type || mutation == null) continue;
    const field = mutation.getFields()[where.slice(where.indexOf(".") + 1)];
    for (const arg of field?.args ?? []) {
      out.push({ name: arg.name, what: `the argument ${arg.name} of ${where}` });
      const input = getNamedType(arg.type);
      if (isInputObjectType(input)) for (const name of Object.keys(input.getFields())) out.push({ name, what: `the input field ${input.name}.${name} of ${where}` });
    }
  }
  return out;
}
