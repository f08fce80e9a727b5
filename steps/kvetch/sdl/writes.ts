// The generated mutations of annotated SDL: for each @createObject / @updateObject / @deleteObject field,
// the WriteRule its checkWrite step applies, and — for a create or update field declared without arguments —
// the generated arguments and input type (`input: CreateTodoItemInput!`; an update also `ifVersion: Int`).
// Works on the model; no store.

import {
  Kind,
  getNamedType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  parse,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type ObjectTypeDefinitionNode,
} from "graphql";
import { misuse } from "./directives.js";
import type { SdlModel } from "./model.js";
import type { WriteRule } from "./checkWrite.js";

/** A stored attribute of an object type, as inputs and checks see it. */
interface Attribute {
  name: string;
  /** Its GraphQL type as an input type, without the outer non-null. */
  inputType: string;
  /** Never written as null: its field is non-null. */
  nonNull: boolean;
  /** A create must give it: non-null and no `@default`. */
  required: boolean;
}

/**
 * The attributes of a stored type: its fields of scalar or enum type (or lists of them) other than `id`
 * that no directive or hand-written plan computes, and the ids it stores for derived edges.
 */
export function attributesOf(model: SdlModel, typeName: string, planned: ReadonlySet<string>): Attribute[] {
  const type = model.schema.getType(typeName) as GraphQLObjectType;
  const out: Attribute[] = [];
  const defaults = model.defaults.get(typeName);
  for (const field of Object.values(type.getFields())) {
    if (field.name === "id" || model.fields.has(`${typeName}.${field.name}`) || planned.has(`${typeName}.${field.name}`)) continue;
    if (!isLeafType(getNamedType(field.type))) continue;
    const nonNull = isNonNullType(field.type);
    out.push({ name: field.name, inputType: String(isNonNullType(field.type) ? field.type.ofType : field.type), nonNull, required: nonNull && !defaults?.has(field.name) });
  }
  for (const attr of model.storedIds.get(typeName)?.keys() ?? []) {
    if (!out.some((a) => a.name === attr)) out.push({ name: attr, inputType: "ID", nonNull: false, required: false });
  }
  return out;
}

/** The argument a generated create reads its idempotency key from, when the field declares it. */
export const IDEMPOTENCY_KEY_ARG = "idempotencyKey";

/** The argument a generated update reads its expected version from (compare-and-set; generated, or declared as Int). */
export const IF_VERSION_ARG = "ifVersion";

/** The write rules of the model's mutation fields; adds generated arguments and inputs to `document`. */
export function generateWrites(model: SdlModel, planned: ReadonlySet<string>): { rules: Map<string, WriteRule>; document: DocumentNode } {
  checkDefaults(model, planned);
  const rules = new Map<string, WriteRule>();
  const mutation = model.schema.getMutationType();
  const generated = new Map<string, string>(); // mutation field → its arguments' SDL
  const inputs = new Map<string, string>(); // one input per type and mode, shared by its fields
  for (const [where, kind] of model.fields) {
    if (kind.kind !== "createObject" && kind.kind !== "updateObject" && kind.kind !== "deleteObject") continue;
    const field = mutation!.getFields()[where.slice(where.indexOf(".") + 1)]!;
    const attributes = attributesOf(model, kind.nodeType, planned);
    const mode = kind.kind === "createObject" ? "create" : kind.kind === "updateObject" ? "update" : "delete";
    if (field.args.length === 0 && mode !== "delete") {
      const input = `${mode === "create" ? "Create" : "Update"}${kind.nodeType}Input`;
      const use = { where, name: kind.kind, node: field.astNode ?? undefined };
      if (model.schema.getType(input)) throw misuse(use, `generates input ${input}, which the SDL already defines; declare the field's arguments (${field.name}(input: ${input}!)) or rename that type`);
      if (attributes.length === 0) throw misuse(use, `generates input ${input}, but ${kind.nodeType} has no stored attributes to put in it; declare the field's arguments or give ${kind.nodeType} an attribute`);
      const lines = attributes.map((a) => `  ${a.name}: ${a.inputType}${mode === "create" && a.required ? "!" : ""}`);
      inputs.set(input, `input ${input} {\n${lines.join("\n")}\n}`);
      generated.set(field.name, mode === "create" ? `input: ${input}!` : `id: ID!, input: ${input}!, ${IF_VERSION_ARG}: Int`);
      rules.set(where, rule(field, mode, kind.nodeType, attributes, model, "input", mode === "update" ? "id" : null, [], mode === "update" ? IF_VERSION_ARG : null));
      continue;
    }
    const idArg = mode === "create" ? null : (field.args.find((a) => a.name === "id") ?? field.args[0]!).name;
    let inputArg: string | null = null;
    let versionArg: string | null = null;
    const attrArgs: string[] = [];
    const given = new Set<string>();
    for (const arg of field.args) {
      if (arg.name === idArg) continue;
      const use = { where, name: kind.kind, node: field.astNode ?? undefined };
      // A create's `idempotencyKey` is the store's retry key (spec/kvetch-storage.md), not an attribute.
      if (mode === "create" && arg.name === IDEMPOTENCY_KEY_ARG) {
        if (String(nullableOf(arg.type)) !== "String") throw misuse(use, `argument ${arg.name}: ${arg.type} must be a String (the store's retry key); declare it ${arg.name}: String`);
        continue;
      }
      // An update's `ifVersion` is the version it must find (compare-and-set, spec/kvetch-storage.md), not an attribute.
      if (mode === "update" && arg.name === IF_VERSION_ARG) {
        if (String(nullableOf(arg.type)) !== "Int") throw misuse(use, `argument ${arg.name}: ${arg.type} must be an Int (the version the update expects); declare it ${arg.name}: Int`);
        versionArg = arg.name;
        continue;
      }
      const argType = getNamedType(arg.type);
      if (mode === "delete") throw misuse(use, `takes only the id argument; got ${arg.name}`);
      if (isInputObjectType(argType) && inputArg === null && !attributes.some((a) => a.name === arg.name)) {
        // One entry writes one object: a list of inputs would be read as an object keyed 0, 1, ...
        if (nullableOf(arg.type) !== argType) throw misuse(use, `argument ${arg.name}: ${arg.type} must be one ${argType.name}, not a list (a create writes one object)`);
        inputArg = arg.name;
        for (const input of Object.values(argType.getFields())) {
          checkAttribute(use, attributes, input.name, `${argType.name}.${input.name}`, kind.nodeType, input.type);
          given.add(input.name);
        }
        continue;
      }
      checkAttribute(use, attributes, arg.name, `argument ${arg.name}`, kind.nodeType, arg.type);
      attrArgs.push(arg.name);
      given.add(arg.name);
    }
    // A create that cannot give a required attribute would fail every call.
    const missing = mode === "create" ? attributes.filter((a) => a.required && !given.has(a.name)).map((a) => a.name) : [];
    if (missing.length > 0) throw misuse({ where, name: kind.kind, node: field.astNode ?? undefined }, `cannot write required ${missing.join(", ")} (non-null, no @default): add ${missing.length > 1 ? "them as arguments" : "it as an argument"} or give ${kind.nodeType}.${missing[0]} a @default`);
    rules.set(where, rule(field, mode, kind.nodeType, attributes, model, inputArg, idArg, attrArgs, versionArg));
  }
  return { rules, document: withGeneratedArguments(model.document, mutation?.name ?? "", generated, [...inputs.values()]) };
}

/**
 * A `@default` or `@index` sits on a stored attribute: a field a directive or hand-written plan computes is
 * never written (so never defaulted, never indexed), and `id` is not an attribute (read it with @readObject).
 */
function checkDefaults(model: SdlModel, planned: ReadonlySet<string>): void {
  const onAttributes = [...model.defaults].flatMap(([type, defaults]) => [...defaults.keys()].map((attr) => ({ type, attr, name: "default" })));
  for (const index of model.indexes) onAttributes.push({ type: index.indexedType, attr: index.indexedAttr, name: "index" });
  for (const { type, attr, name } of onAttributes) {
    if (attributesOf(model, type, planned).some((a) => a.name === attr)) continue;
    const node = (model.schema.getType(type) as GraphQLObjectType | undefined)?.getFields()[attr]?.astNode ?? undefined;
    const use = { where: `${type}.${attr}`, name, node };
    if (attr === "id") throw misuse(use, `needs a stored attribute; id is the object's own id, which no index holds (read an object by id with @readObject)`);
    const by = model.fields.has(`${type}.${attr}`) ? "a planning directive" : "a hand-written plan";
    throw misuse(use, `needs a stored attribute; ${type}.${attr} is computed by ${by}, so no ${name === "index" ? "write stores it for the index" : "create writes it"}`);
  }
}

/** `name` must be a stored attribute, written by an argument (or input field) of its own type (non-null or not). */
function checkAttribute(use: Parameters<typeof misuse>[0], attributes: readonly Attribute[], name: string, what: string, type: string, argType: GraphQLInputType): void {
  const attribute = attributes.find((a) => a.name === name);
  if (!attribute) throw misuse(use, `cannot write ${what}: ${type} has no stored attribute "${name}" (attributes: ${attributes.map((a) => a.name).join(", ") || "none"})`);
  if (String(nullableOf(argType)) !== attribute.inputType) {
    throw misuse(use, `cannot write ${what}: ${argType} into ${type}.${name}, which is ${attribute.inputType}${attribute.nonNull ? "!" : ""}; declare it ${name}: ${attribute.inputType}`);
  }
}

function nullableOf(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

function rule(
  field: GraphQLField<unknown, unknown>,
  mode: WriteRule["mode"],
  type: string,
  attributes: readonly Attribute[],
  model: SdlModel,
  inputArg: string | null,
  idArg: string | null,
  attrArgs: string[],
  versionArg: string | null,
): WriteRule {
  return {
    field: field.name,
    mode,
    type,
    idArg,
    inputArg,
    attrArgs,
    versionArg,
    nonNull: new Set(attributes.filter((a) => a.nonNull).map((a) => a.name)),
    required: new Set(attributes.filter((a) => a.required).map((a) => a.name)),
    storedIds: model.storedIds.get(type) ?? new Map(),
    defaults: model.defaults.get(type) ?? new Map(),
  };
}

function withGeneratedArguments(document: DocumentNode, mutationType: string, args: ReadonlyMap<string, string>, inputs: readonly string[]): DocumentNode {
  if (args.size === 0) return document;
  const sdl = [...args].map(([name, text]) => `${name}(${text}): Boolean`).join(" ");
  const parsed = (parse(`type _Generated { ${sdl} }`).definitions[0] as ObjectTypeDefinitionNode).fields!;
  const definitions = document.definitions.map((d) => {
    if ((d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) || d.name.value !== mutationType) return d;
    const fields = d.fields?.map((f): FieldDefinitionNode => {
      const generated = parsed.find((g) => g.name.value === f.name.value);
      return generated ? { ...f, arguments: generated.arguments } : f;
    });
    return { ...d, fields };
  });
  return { ...document, definitions: [...definitions, ...parse(inputs.join("\n")).definitions] };
}
