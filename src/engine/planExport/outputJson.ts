// The output plan of an exported plan, written against the operation itself. Most of an output plan is what
// the document and the schema already say — each field's name, response key, parent and return type, each
// leaf's shape — so a field is written as its document nodes, its flags and the steps and layers it reads;
// the importing process derives the rest from the same document and schema. A position the derivation would
// not give back exactly (checked when writing) is written in full through the value codec instead.

import {
  TypeNameMetaFieldDef,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import type { Layer } from "../planning/layer.js";
import type { Step } from "../step.js";
import type { FieldContext } from "../planning/resolveInfo.js";
import { fieldContextOf, fieldDefOf, leafShape, type LeafShape, type OutputField, type OutputSelection, type OutputValue } from "../planning/outputPlan.js";
import type { PartialAbstractValue, UnplannedBranches } from "../planning/partialPlanning.js";
import { BadPlan, type Encoded, type PlanDecoder, type PlanEncoder } from "./codec.js";

/** An output field's own keys and its field context's, in the order the planner creates them. */
const FIELD_KEYS = "responseKey,field,value,errorValuesAreErrors";
const CONTEXT_KEYS = "fieldName,responseKey,fieldNodes,returnType,parentType,schema,fragments,operation";
const VALUE_KEYS: { readonly [kind: string]: string } = {
  leaf: "kind,nonNull,step,type",
  leafList: "kind,nonNull,step,item",
  list: "kind,nonNull,step,layer,item",
  object: "kind,nonNull,step,valueStep,layer,selection",
  abstract: "kind,nonNull,step,typeStep,typeNameStep,defaultTypeResolver,byType",
  partialAbstract: "kind,nonNull,step,typeStep,typeNameStep,defaultTypeResolver,byType,branches",
};
const BRANCHES_KEYS = "layer,field,responseKey,path,resolverSemantics,unplanned";

/** A field written in full (the value codec) rather than against the document. */
const FULL = -1;

const NO_NODES: readonly FieldNode[] = [];

/** What a position cannot be derived from: the field is then written in full. */
class NotDerivable extends Error {}


function sameLeafShape(a: LeafShape, b: LeafShape): boolean {
  if (a.kind !== b.kind || a.nonNull !== b.nonNull) return false;
  return a.kind === "leaf" ? a.type === (b as typeof a).type : sameLeafShape(a.item, (b as typeof a).item);
}

/** spec: EncodeOutputPlan — the output plan against the document: `[root type name, fields]`. */
export function encodeOutputPlan(encoder: PlanEncoder, root: OutputSelection): Encoded {
  return [root.type.name, encodeSelection(encoder, root)];
}

/** A selection's fields as one flat list of triples (field nodes, flags, value), no array per field. */
function encodeSelection(encoder: PlanEncoder, selection: OutputSelection): Encoded[] {
  const out: Encoded[] = [];
  for (const field of selection.fields) {
    try {
      out.push(...encodeField(encoder, selection.type, field));
    } catch (error) {
      if (!(error instanceof NotDerivable)) throw error;
      out.push(FULL, encoder.encodeValue(field), null);
    }
  }
  return out;
}

function encodeField(encoder: PlanEncoder, parentType: GraphQLObjectType, field: OutputField): [Encoded, Encoded, Encoded] {
  const context = field.field;
  const { schema } = encoder.context;
  const first = context.fieldNodes[0];
  if (Object.keys(field).join() !== FIELD_KEYS || Object.keys(context).join() !== CONTEXT_KEYS || first === undefined) throw new NotDerivable();
  const fieldDef = fieldDefOf(schema, parentType, first.name.value);
  const derived =
    fieldDef !== undefined &&
    context.fieldName === first.name.value &&
    context.responseKey === (first.alias?.value ?? first.name.value) &&
    field.responseKey === context.responseKey &&
    context.returnType === fieldDef.type &&
    context.parentType === parentType &&
    context.schema === schema &&
    context.fragments === encoder.context.fragments &&
    context.operation === encoder.context.operation &&
    (field.value === null) === (fieldDef === TypeNameMetaFieldDef);
  if (!derived) throw new NotDerivable();
  const nodes: number[] = context.fieldNodes.map((node) => {
    const ref = encoder.fieldRef(node);
    if (ref === undefined) throw new NotDerivable();
    return ref;
  });
  const flags = field.errorValuesAreErrors ? 1 : 0;
  const nodesEncoded = nodes.length === 1 ? nodes[0]! : nodes;
  return [nodesEncoded, flags, field.value === null ? null : encodeValueAt(encoder, context.returnType, field.value, context)];
}

/** How a value's checks see the field: the field's own context (0), or a list item's copy of it (1). */
function fieldForm(field: FieldContext, context: FieldContext): 0 | 1 {
  if (field === context) return 0;
  const keys = Object.keys(field);
  if (keys.join() !== `${CONTEXT_KEYS},atListItem` || field.atListItem !== true) throw new NotDerivable();
  for (const key of keys) if (key !== "atListItem" && field[key as keyof FieldContext] !== context[key as keyof FieldContext]) throw new NotDerivable();
  return 1;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** The unplanned branches of a partially planned abstract position (see partialPlanning.ts), or 0. */
function encodeBranches(branches: UnplannedBranches | undefined, context: FieldContext): Encoded {
  if (branches === undefined) return 0;
  const { layer, field, responseKey, path, resolverSemantics, unplanned } = branches;
  if (Object.keys(branches).join() !== BRANCHES_KEYS || !isStrings(path) || !isStrings(unplanned) || (responseKey !== null && typeof responseKey !== "string")) throw new NotDerivable();
  return [layer.id, fieldForm(field, context), responseKey, [...path], resolverSemantics ? 1 : 0, [...unplanned]];
}

/** A position of type `type`: a leaf as its step id, anything else a tagged array. */
function encodeValueAt(encoder: PlanEncoder, type: GraphQLOutputType, value: OutputValue, context: FieldContext): Encoded {
  const branches = (value as PartialAbstractValue).branches;
  const keys = VALUE_KEYS[value.kind === "abstract" && branches !== undefined ? "partialAbstract" : value.kind];
  if (Object.keys(value).join() !== keys || value.nonNull !== isNonNullType(type)) throw new NotDerivable();
  const named = isNonNullType(type) ? type.ofType : type;
  switch (value.kind) {
    case "leaf":
    case "leafList":
      if (!sameLeafShape(leafShape(type), value)) throw new NotDerivable();
      return value.step.id;
    case "list":
      if (!isListType(named)) throw new NotDerivable();
      return ["L", value.step.id, value.layer.id, encodeValueAt(encoder, named.ofType as GraphQLOutputType, value.item, context)];
    case "object":
      if (named !== value.selection.type) throw new NotDerivable();
      return ["O", value.step.id, value.valueStep.id, value.layer.id, encodeSelection(encoder, value.selection)];
    case "abstract": {
      const out: Encoded[] = ["A", value.step.id, value.typeStep.id, value.typeNameStep.id, value.defaultTypeResolver ? 1 : 0, encodeBranches(branches, context)];
      for (const [typeName, branch] of value.byType) {
        if (branch.selection.type.name !== typeName) throw new NotDerivable();
        out.push(typeName, branch.layer.id, encodeSelection(encoder, branch.selection));
      }
      return out;
    }
  }
}

/** What decoding the output plan finds its references in. */
export interface OutputDecodeContext {
  readonly decoder: PlanDecoder;
  readonly schema: GraphQLSchema;
  readonly steps: ReadonlyArray<Step | null>;
  readonly layers: readonly Layer[];
}

/** spec: DecodeOutputPlan — the inverse of EncodeOutputPlan, deriving from the document what was not written. */
export function decodeOutputPlan(context: OutputDecodeContext, encoded: Encoded): OutputSelection {
  if (!Array.isArray(encoded) || encoded.length !== 2 || !Array.isArray(encoded[1])) throw new BadPlan("the output plan is malformed");
  const type = objectTypeNamed(context, encoded[0]);
  return { type, fields: decodeSelection(context, type, encoded[1]) };
}

function objectTypeNamed(context: OutputDecodeContext, name: Encoded): GraphQLObjectType {
  const type = typeof name === "string" ? context.schema.getType(name) : undefined;
  if (!isObjectType(type)) throw new BadPlan(`the output plan names type ${JSON.stringify(name)}, which is not an object type here`);
  return type;
}

/** A selected field of an object type as decoding needs it: its definition and its position's type facts. */
interface SelectedField {
  readonly def: GraphQLField<unknown, unknown>;
  readonly position: Position;
}

/**
 * Per object type, its fields by name as decoding needs them, worked out once per process (a type's fields
 * never change). Not the meta fields: which of `__schema` and `__type` a type has depends on the schema.
 */
const selectedFields = new WeakMap<GraphQLObjectType, Map<string, SelectedField>>();

function selectedFieldsOf(type: GraphQLObjectType): Map<string, SelectedField> {
  let known = selectedFields.get(type);
  if (known === undefined) selectedFields.set(type, (known = new Map()));
  return known;
}

/** Field entries of those tables made in this process (tests count them). */
export const outputTableStats = { fieldsMade: 0 };

/**
 * The per-type tables of DecodeOutputPlan for every object type of the schema (its fields, not the meta
 * fields, with their position facts), made now rather than by the first import that meets each type.
 */
export function prepareOutputTables(schema: GraphQLSchema): void {
  const typeMap = schema.getTypeMap();
  for (const name in typeMap) {
    const type = typeMap[name];
    if (!isObjectType(type) || name.startsWith("__")) continue;
    const known = selectedFieldsOf(type);
    for (const fieldName in type.getFields()) selectedField(schema, type, known, fieldName);
  }
}

function selectedField(schema: GraphQLSchema, type: GraphQLObjectType, known: Map<string, SelectedField>, fieldName: string): SelectedField | undefined {
  let selected = known.get(fieldName);
  if (selected === undefined) {
    const def = fieldDefOf(schema, type, fieldName);
    if (def === undefined) return undefined;
    selected = { def, position: positionOf(def.type) };
    outputTableStats.fieldsMade++;
    if (!fieldName.startsWith("__")) known.set(fieldName, selected);
  }
  return selected;
}

function decodeSelection(context: OutputDecodeContext, type: GraphQLObjectType, fields: Encoded): OutputField[] {
  if (!Array.isArray(fields) || fields.length % 3 !== 0) throw new BadPlan("an output selection is malformed");
  const known = selectedFieldsOf(type);
  // The document's field nodes, walked once per import — unless this selection's first field is written in
  // full (a decoder's fieldNode then walks them only if a later field names one).
  const fieldNodes = fields.length > 0 && fields[0] !== FULL ? (context.decoder.fieldNodes() as readonly FieldNode[]) : NO_NODES;
  const out: OutputField[] = [];
  for (let i = 0; i < fields.length; i += 3) out.push(decodeField(context, type, known, fieldNodes, fields[i]!, fields[i + 1]!, fields[i + 2]!));
  return out;
}

function decodeField(
  context: OutputDecodeContext,
  parentType: GraphQLObjectType,
  known: Map<string, SelectedField>,
  documentFieldNodes: readonly FieldNode[],
  refs: Encoded,
  flags: Encoded,
  encodedValue: Encoded,
): OutputField {
  const { decoder, schema } = context;
  if (refs === FULL) {
    // Written in full: nothing here derived it, so CheckOutputPlan checks its field context.
    const full = decoder.decodeValue(flags) as OutputField;
    decoder.writtenInFull.add(full);
    return full;
  }
  let fieldNodes: FieldNode[];
  if (typeof refs === "number") {
    const node = documentFieldNodes[refs];
    fieldNodes = [node ?? (decoder.fieldNode(refs) as FieldNode)];
  } else {
    if (!Array.isArray(refs)) throw new BadPlan("an output field's field nodes are malformed");
    fieldNodes = [];
    for (let i = 0; i < refs.length; i++) fieldNodes.push(decoder.fieldNode(refs[i]) as FieldNode);
  }
  const first = fieldNodes[0];
  if (first === undefined) throw new BadPlan("an output field names no field node");
  const fieldName = first.name.value;
  const selected = selectedField(schema, parentType, known, fieldName);
  if (selected === undefined) throw new BadPlan(`the output plan names ${parentType.name}.${fieldName}, which this schema does not have`);
  const fieldDef = selected.def;
  const responseKey = first.alias?.value ?? fieldName;
  const field = fieldContextOf(schema, parentType, fieldDef, fieldNodes, responseKey, decoder.context.fragments, decoder.operation);
  const value = encodedValue === null ? null : decodeValueAt(context, selected.position, encodedValue, field);
  if ((value === null) !== (fieldDef === TypeNameMetaFieldDef)) throw new BadPlan(`the output field ${responseKey} does not fit its type`);
  return { responseKey, field, value, errorValuesAreErrors: flags === 1 };
}

/** What a position of one output type needs to be decoded: worked out once per type, not per field. */
interface Position {
  readonly nonNull: boolean;
  /** The item type when the type is a list. */
  readonly item: GraphQLOutputType | null;
  /** The shape when the type is a leaf or a (nested) list of leaves. */
  readonly leaf: LeafShape | null;
  /** The type when it is an object type. */
  readonly object: GraphQLObjectType | null;
}

const positions = new WeakMap<GraphQLOutputType, Position>();

function positionOf(type: GraphQLOutputType): Position {
  let position = positions.get(type);
  if (position === undefined) {
    const nonNull = isNonNullType(type);
    const named = nonNull ? type.ofType : type;
    position = {
      nonNull,
      item: isListType(named) ? (named.ofType as GraphQLOutputType) : null,
      leaf: isLeafType(getNamedType(type)) ? leafShape(type) : null,
      object: isObjectType(named) ? named : null,
    };
    positions.set(type, position);
  }
  return position;
}

function decodeValueAt(context: OutputDecodeContext, position: Position, encoded: Encoded, field: FieldContext): OutputValue {
  const { nonNull, leaf } = position;
  if (typeof encoded === "number") {
    if (leaf === null) throw new BadPlan("a leaf position of the output plan has a composite type");
    const step = stepAt(context, encoded);
    return leaf.kind === "leaf" ? { kind: "leaf", nonNull, step, type: leaf.type } : { kind: "leafList", nonNull, step, item: leaf.item };
  }
  if (!Array.isArray(encoded)) throw new BadPlan("an output position is malformed");
  switch (encoded[0]) {
    case "L":
      if (position.item === null || encoded.length !== 4) throw new BadPlan("a list position of the output plan does not fit its type");
      return {
        kind: "list",
        nonNull,
        step: stepAt(context, encoded[1]),
        layer: layerAt(context, encoded[2]),
        item: decodeValueAt(context, positionOf(position.item), encoded[3]!, field),
      };
    case "O": {
      const named = position.object;
      if (named === null || encoded.length !== 5) throw new BadPlan("an object position of the output plan does not fit its type");
      return {
        kind: "object",
        nonNull,
        step: stepAt(context, encoded[1]),
        valueStep: stepAt(context, encoded[2]),
        layer: layerAt(context, encoded[3]),
        selection: { type: named, fields: decodeSelection(context, named, encoded[4]!) },
      };
    }
    case "A": {
      if (encoded.length < 6 || (encoded.length - 6) % 3 !== 0) throw new BadPlan("an abstract position of the output plan is malformed");
      const byType = new Map<string, { readonly layer: Layer; readonly selection: OutputSelection }>();
      for (let i = 6; i < encoded.length; i += 3) {
        const branchType = objectTypeNamed(context, encoded[i]!);
        byType.set(branchType.name, { layer: layerAt(context, encoded[i + 1]), selection: { type: branchType, fields: decodeSelection(context, branchType, encoded[i + 2]!) } });
      }
      const value: PartialAbstractValue = {
        kind: "abstract",
        nonNull,
        step: stepAt(context, encoded[1]),
        typeStep: stepAt(context, encoded[2]),
        typeNameStep: stepAt(context, encoded[3]),
        defaultTypeResolver: encoded[4] === 1,
        byType,
      };
      if (encoded[5] !== 0) value.branches = decodeBranches(context, encoded[5], field);
      return value;
    }
    default:
      throw new BadPlan(`unknown output position ${JSON.stringify(encoded[0])}`);
  }
}

function decodeBranches(context: OutputDecodeContext, encoded: Encoded | undefined, field: FieldContext): UnplannedBranches {
  if (!Array.isArray(encoded) || encoded.length !== 6) throw new BadPlan("the unplanned branches of an abstract position are malformed");
  const [layer, form, responseKey, path, resolverSemantics, unplanned] = encoded;
  if (!isStrings(path) || !isStrings(unplanned) || (responseKey !== null && typeof responseKey !== "string") || (form !== 0 && form !== 1)) {
    throw new BadPlan("the unplanned branches of an abstract position are malformed");
  }
  return {
    layer: layerAt(context, layer),
    field: form === 0 ? field : { ...field, atListItem: true },
    responseKey,
    path,
    resolverSemantics: resolverSemantics === 1,
    unplanned,
  };
}

function stepAt(context: OutputDecodeContext, id: Encoded | undefined): Step {
  const step = typeof id === "number" ? context.steps[id] : undefined;
  if (!step) throw new BadPlan(`the output plan names step ${String(id)}, which the plan does not hold`);
  return step;
}

function layerAt(context: OutputDecodeContext, id: Encoded | undefined): Layer {
  const layer = typeof id === "number" ? context.layers[id] : undefined;
  if (!layer) throw new BadPlan(`the output plan names layer ${String(id)}, which the plan does not hold`);
  return layer;
}
