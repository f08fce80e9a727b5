// The value codec of exported plans: step fields, layer reasons and the output plan as compact JSON. Steps,
// layers, GraphQL types and fields, document nodes and named functions are written as references and found
// again in the importing process; anything else that is not plain data cannot be exported and says where it
// sits. Objects are written against shared key lists (shapes), so a key is written once per plan, not per value.

import {
  GraphQLSchema,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  isInterfaceType,
  isObjectType,
  isType,
  parseType,
  typeFromAST,
  type ASTNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLType,
  type OperationDefinitionNode,
} from "graphql";
import { Step } from "../step.js";
import { documentNodes, fieldNodesOf } from "./documentNodes.js";
import { BadPlan, NotExportable, Tag, type Encoded, type Shape } from "./encoded.js";
import { SINGLE, SINGLE_TEXT, WRITTEN, isSingle, shapePlanOf, tierUp, type ShapePlan } from "./shapes.js";
import { Layer } from "../planning/layer.js";
import { schemaFunctions, type SchemaFunctions } from "../stepRegistry.js";

export { BadPlan, NotExportable, Tag, type Encoded, type Shape } from "./encoded.js";

const META_FIELDS: ReadonlyArray<GraphQLField<unknown, unknown>> = [SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef];

/** What the codec looks up in a schema, built once per schema and kept across exports and imports. */
export interface SchemaLookups {
  readonly functions: SchemaFunctions;
  readonly nameOfField: ReadonlyMap<GraphQLField<unknown, unknown>, string>;
  readonly fieldByName: ReadonlyMap<string, GraphQLField<unknown, unknown>>;
  /** Types by printed name (`[Int!]`), filled as plans name them. */
  readonly typeByName: Map<string, GraphQLType | null>;
}

const lookupsBySchema = new WeakMap<GraphQLSchema, SchemaLookups>();

export function schemaLookups(schema: GraphQLSchema): SchemaLookups {
  let known = lookupsBySchema.get(schema);
  if (known !== undefined) return known;
  const nameOfField = new Map<GraphQLField<unknown, unknown>, string>();
  const fieldByName = new Map<string, GraphQLField<unknown, unknown>>();
  const add = (field: GraphQLField<unknown, unknown>, name: string): void => {
    nameOfField.set(field, name);
    fieldByName.set(name, field);
  };
  for (const meta of META_FIELDS) add(meta, meta.name);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) add(field, `${type.name}.${field.name}`);
  }
  known = { functions: schemaFunctions(schema), nameOfField, fieldByName, typeByName: new Map() };
  lookupsBySchema.set(schema, known);
  return known;
}

function typeNamed(schema: GraphQLSchema, lookups: SchemaLookups, name: string): GraphQLType | null {
  let type = lookups.typeByName.get(name);
  if (type === undefined) {
    try {
      type = typeFromAST(schema, parseType(name) as never) ?? null;
    } catch {
      type = null;
    }
    lookups.typeByName.set(name, type);
  }
  return type;
}

/** What the encoder needs to write references. */
export interface EncodeContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly layerOfReason: ReadonlyMap<object, number>;
}

export class PlanEncoder {
  private readonly nodeIds = new Map<ASTNode, [string, number]>();
  private readonly fieldIds = new Map<ASTNode, number>();
  private readonly shapeIds = new Map<string, number>();
  private readonly lookups: SchemaLookups;
  /** The key lists objects are written against, in first-use order, and the objects written against each. */
  private readonly keyLists: string[][] = [];
  private readonly instances: Encoded[][][] = [];
  /** The body's strings: what single fields write by index (see shapes()), each once. */
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  constructor(readonly context: EncodeContext) {
    this.lookups = schemaLookups(context.schema);
    for (const [scope, list] of documentNodes(context.operation, context.fragments)) for (let i = 0; i < list.length; i++) this.nodeIds.set(list[i]!, [scope, i]);
    const fields = fieldNodesOf(context.operation, context.fragments);
    for (let i = 0; i < fields.length; i++) this.fieldIds.set(fields[i]!, i);
  }

  /** A field node's position among fieldNodesOf (the operation's field nodes, then each fragment's). */
  fieldRef(node: ASTNode): number | undefined {
    return this.fieldIds.get(node);
  }

  /** The shape of a key list: its index in `shapes`. Shapes of different spaces never merge. */
  shapeOf(keys: string[], space = ""): number {
    const id = `${space}\u0001${JSON.stringify(keys)}`; // a join could make two key lists one (["a\0b"] and ["a", "b"])
    let shape = this.shapeIds.get(id);
    if (shape === undefined) {
      shape = this.keyLists.length;
      this.keyLists.push(keys);
      this.instances.push([]);
      this.shapeIds.set(id, shape);
    }
    return shape;
  }

  /**
   * The shapes, once every value is encoded: a field whose value is the same in every object of a shape is
   * written once, in the shape, and taken out of each object (steps of one kind share most of their fields).
   */
  shapes(): Shape[] {
    const shapes: Shape[] = [];
    for (let s = 0; s < this.keyLists.length; s++) {
      const keys = this.keyLists[s]!;
      const objects = this.instances[s]!;
      const fixed: Encoded[] = [];
      const fixedAt: number[] = [];
      for (let k = 0; k < keys.length && objects.length > 1; k++) {
        const text = JSON.stringify(objects[0]![objects[0]!.length - keys.length + k]);
        if (objects.every((o) => JSON.stringify(o[o.length - keys.length + k]) === text)) fixedAt.push(k);
      }
      for (const k of fixedAt) fixed.push(objects[0]![objects[0]!.length - keys.length + k]!);
      for (const o of objects) {
        const base = o.length - keys.length;
        for (let j = fixedAt.length - 1; j >= 0; j--) o.splice(base + fixedAt[j]!, 1);
      }
      // A written field whose value is, in every object, a plain array of one scalar: written as the scalar.
      const singleAt: number[] = [];
      const written = keys.length - fixedAt.length;
      for (let k = 0, w = 0; k < keys.length && objects.length > 1; k++) {
        if (fixedAt.includes(k)) continue;
        const at = w++;
        if (objects.every((o) => isSingle(o[o.length - written + at]))) singleAt.push(k);
      }
      if (singleAt.length > 0) {
        const positions = keys.map((_, k) => k).filter((k) => !fixedAt.includes(k));
        for (const o of objects) {
          const base = o.length - written;
          for (const k of singleAt) o[base + positions.indexOf(k)] = (o[base + positions.indexOf(k)] as Encoded[])[1]!;
        }
        // A single field whose scalar is a string in every object, and the same string in some of them (the
        // paths of field reads repeat across aliases and types): written as its index in the body's strings,
        // each string once there; listed as -(k + 1).
        for (let s = 0; s < singleAt.length; s++) {
          const at = positions.indexOf(singleAt[s]!);
          const texts = objects.map((o) => o[o.length - written + at]);
          if (!texts.every((t) => typeof t === "string") || new Set(texts).size === texts.length) continue;
          for (const o of objects) o[o.length - written + at] = this.stringId(o[o.length - written + at] as string);
          singleAt[s] = -singleAt[s]! - 1;
        }
      }
      shapes.push(singleAt.length > 0 ? [keys, fixedAt, fixed, singleAt] : fixedAt.length === 0 ? [keys] : [keys, fixedAt, fixed]);
    }
    return shapes;
  }

  /** A string's index in the body's strings (`strings`), added there on first use. */
  private stringId(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) this.stringIds.set(text, (id = this.strings.push(text) - 1));
    return id;
  }

  /** spec: EncodeValue — one value of a step, a layer reason or the output plan, as JSON. */
  encodeValue(value: unknown): Encoded {
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "number") {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return [Tag.Number, Object.is(value, -0) ? "-0" : String(value)]; // JSON has no -0, and String(-0) is "0"
    }
    if (value === undefined) return [Tag.Undefined];
    if (typeof value === "function") {
      const name = this.lookups.functions.nameOf.get(value);
      if (name === undefined) throw new NotExportable(`the function ${value.name || "(anonymous)"} is not registered (makeSchema({ functions: { name: fn } }))`);
      return [Tag.Function, name];
    }
    if (typeof value !== "object") throw new NotExportable(`a ${typeof value} value`);
    if (Array.isArray(value)) {
      const out: Encoded[] = [Tag.Array];
      for (const item of value) out.push(this.encodeValue(item));
      return out;
    }
    if (value instanceof Step) return [Tag.Step, value.id];
    if (value instanceof Layer) return [Tag.Layer, value.id];
    const layer = this.context.layerOfReason.get(value);
    if (layer !== undefined) return [Tag.Reason, layer];
    if (isType(value)) return [Tag.Type, String(value)];
    if (value === this.context.schema) return [Tag.Schema];
    if (value === this.context.fragments) return [Tag.Fragments];
    const node = this.nodeIds.get(value as ASTNode);
    if (node !== undefined) return [Tag.Node, node[0], node[1]];
    if (value instanceof Map) {
      const out: Encoded[] = [Tag.Map];
      for (const [k, v] of value) out.push(this.encodeValue(k), this.encodeValue(v));
      return out;
    }
    const fieldName = this.lookups.nameOfField.get(value as GraphQLField<unknown, unknown>);
    if (fieldName !== undefined) return [Tag.Field, fieldName];
    if (isPlainError(value)) return [Tag.Error, value.message];
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new NotExportable(`an instance of ${proto?.constructor?.name || "a class"}`);
    const fields = this.encodeFields(value as Record<string, unknown>, Object.keys(value));
    return this.written(fields[0] as number, [proto === null ? Tag.NullObject : Tag.Object, ...fields]);
  }

  /** An object's fields as (shape, ...values in shape order). */
  encodeFields(value: Record<string, unknown>, keys: string[], space?: string): Encoded[] {
    const shape = this.shapeOf(keys, space);
    const out: Encoded[] = [shape];
    for (const key of keys) out.push(this.encodeValue(value[key]));
    return out;
  }

  /** Registers `encoded` (whose last values are the fields of `shape`) for shapes() to take fixed fields out of. */
  written(shape: number, encoded: Encoded[]): Encoded[] {
    this.instances[shape]!.push(encoded);
    return encoded;
  }
}

/** What the decoder finds references in. */
export interface DecodeContext {
  readonly schema: GraphQLSchema;
  /** Whether fields may be set by generated setters (see generatedCode.ts). */
  readonly generateCode: boolean;
  readonly operation: OperationDefinitionNode;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly shapes: readonly Shape[];
  /** The body's strings, which single fields may name by index. */
  readonly strings: readonly string[];
  /** Where the decoder keeps what it works out per shape (shared by the imports of the same shape list). */
  readonly shapePlans: Array<ShapePlan | undefined>;
  readonly steps: ReadonlyArray<Step | null>;
  readonly layers: readonly Layer[];
}

/** Numbers the decoders of this process, so a shape counts each import that uses it once (TierUp). */
let decoders = 0;

export class PlanDecoder {
  private readonly lookups: SchemaLookups;
  private readonly serial = ++decoders;
  /** documentNodes and fieldNodesOf, each walked on first use only. */
  private nodes: Map<string, ASTNode[]> | null = null;
  private fields: ASTNode[] | null = null;
  /** handedOut's questions so far, until its fifth makes the set it answers from (the first four scan the lists). */
  private handed: Set<ASTNode> | number = 0;
  /** The output fields written in full (every other field's context is derived from the document). */
  readonly writtenInFull = new Set<unknown>();
  /** Per step id, the shape its object was built with (DecodePlan sets them): for CheckStepData. */
  readonly stepLayouts: Array<ShapePlan | undefined> = [];
  /** Per step id, true when DecodePlan read the step under its predecessor's header (a run, `-2, n`). */
  readonly stepFollows: boolean[] = [];

  constructor(readonly context: DecodeContext) {
    this.lookups = schemaLookups(context.schema);
  }

  get operation(): OperationDefinitionNode {
    return this.context.operation;
  }

  /** The document node at `index` of `scope` ("" for the operation, else a fragment's name). */
  node(scope: unknown, index: unknown): ASTNode {
    this.nodes ??= documentNodes(this.context.operation, this.context.fragments);
    const node = typeof scope === "string" && typeof index === "number" ? this.nodes.get(scope)?.[index] : undefined;
    return node ?? notFound(`document node ${String(scope)}#${String(index)}`);
  }

  /** The field node at `index` in fieldNodesOf's numbering. */
  fieldNode(index: unknown): ASTNode {
    const node = typeof index === "number" ? this.fieldNodes()[index] : undefined;
    return node ?? notFound(`field node #${String(index)}`);
  }

  /**
   * Whether `node` is a document node this decoder handed out: one of the lists it walked (a node it never
   * walked a list for was never decoded, so it is none of the document's). For CheckImportedPlan. Most plans
   * ask once or twice: a scan costs a comparison per node, the set an insertion per node.
   */
  handedOut(node: unknown): boolean {
    if (typeof this.handed === "number") {
      if (++this.handed <= 4) {
        if (this.nodes !== null) for (const list of this.nodes.values()) if (list.includes(node as ASTNode)) return true;
        return this.fields !== null && this.fields.includes(node as ASTNode);
      }
      const handed = (this.handed = new Set());
      if (this.nodes !== null) for (const list of this.nodes.values()) for (const n of list) handed.add(n);
      if (this.fields !== null) for (const n of this.fields) handed.add(n);
    }
    return this.handed.has(node as ASTNode);
  }

  /** The document's field nodes in fieldNodesOf's numbering: what an output field's numbers name. */
  fieldNodes(): readonly ASTNode[] {
    return (this.fields ??= fieldNodesOf(this.context.operation, this.context.fragments));
  }

  /** spec: DecodeValue — the inverse of EncodeValue against the importing process's schema and document. */
  decodeValue(value: Encoded): unknown {
    if (value === null || typeof value !== "object") return value;
    if (!Array.isArray(value)) throw new BadPlan("the plan holds an untagged object");
    const c = this.context;
    switch (value[0]) {
      case Tag.Array: {
        const out: unknown[] = [];
        for (let i = 1; i < value.length; i++) out.push(this.decodeValue(value[i]!));
        return out;
      }
      case Tag.Object:
        return this.decodeFields(value, 1, {});
      case Tag.NullObject:
        return this.decodeFields(value, 1, Object.create(null) as Record<string, unknown>);
      case Tag.Step:
        return (typeof value[1] === "number" ? c.steps[value[1]] : undefined) ?? notFound(`step ${String(value[1])}`);
      case Tag.Layer:
        return (typeof value[1] === "number" ? c.layers[value[1]] : undefined) ?? notFound(`layer ${String(value[1])}`);
      case Tag.Reason:
        return ((typeof value[1] === "number" ? c.layers[value[1]] : undefined) ?? notFound(`layer ${String(value[1])}`)).reason;
      case Tag.Function:
        return this.lookups.functions.byName.get(value[1] as string) ?? notFound(`function ${String(value[1])}`);
      case Tag.Type:
        return (typeof value[1] === "string" ? typeNamed(c.schema, this.lookups, value[1]) : null) ?? notFound(`type ${String(value[1])}`);
      case Tag.Schema:
        return c.schema;
      case Tag.Fragments:
        return c.fragments;
      case Tag.Node:
        return this.node(value[1], value[2]);
      case Tag.Undefined:
        return undefined;
      case Tag.Number:
        return Number(value[1]);
      case Tag.Map: {
        const out = new Map<unknown, unknown>();
        for (let i = 1; i + 1 < value.length; i += 2) out.set(this.decodeValue(value[i]!), this.decodeValue(value[i + 1]!));
        return out;
      }
      case Tag.Field:
        return this.lookups.fieldByName.get(value[1] as string) ?? notFound(`field ${String(value[1])}`);
      case Tag.Error:
        if (typeof value[1] !== "string") throw new BadPlan("an error in the plan has no message");
        return new Error(value[1]);
      default:
        throw new BadPlan(`unknown value tag ${JSON.stringify(value[0])}`);
    }
  }

  /**
   * Sets on `target` the fields written by encodeFields at `value[at]` (shape) and after it: the rest of
   * `value`, or (`inStream`) the next values of a longer stream, as many as the shape's written fields.
   */
  decodeFields<T extends object>(value: readonly Encoded[], at: number, target: T, inStream = false): T {
    return this.fillFields(value[at], value, at + 1, target, inStream);
  }

  /** Sets on `target` the fields of shape `shapeId` from the values written at `values[at...]`. */
  fillFields<T extends object>(shapeId: Encoded | undefined, values: readonly Encoded[], at: number, target: T, inStream = true): T {
    const plan = this.shapePlan(shapeId);
    const end = at + plan.written;
    if (inStream ? values.length < end : values.length !== end) throw new BadPlan(`an object does not fit its shape ${String(shapeId)}`);
    if (plan.fill !== null) {
      plan.fill(target, values, at, plan.fixed, this.context.strings, this);
      return target;
    }
    const out = target as Record<string, unknown>;
    const { keys, fixed, layout } = plan;
    // Fixed and written fields in key order, so every object of a shape gets its fields in the same order.
    let next = at;
    for (let k = 0; k < keys.length; k++) {
      const f = fixed[k];
      if (f === SINGLE) {
        const v = values[next++];
        if (v !== null && typeof v === "object") this.notScalar();
        out[keys[k]!] = [v];
      } else if (f === SINGLE_TEXT) {
        const v = values[next++];
        const text = typeof v === "number" ? this.context.strings[v] : undefined;
        if (text === undefined) this.notText();
        out[keys[k]!] = [text];
      } else if (f === WRITTEN) {
        const v = values[next++]!;
        out[keys[k]!] = v !== null && typeof v === "object" ? this.decodeValue(v) : v;
      } else {
        // The layout says what a fixed value is (fixedKind): a scalar as it is, a short plain array copied.
        const kind = layout[k];
        out[keys[k]!] = kind === "scalar" ? f : typeof kind === "number" ? (f as Encoded[]).slice(1) : this.decodeFixed(f as Encoded[]);
      }
    }
    return target;
  }

  notScalar(): never {
    throw new BadPlan("a one-element list holds more than a scalar");
  }

  notText(): never {
    throw new BadPlan("a field names a string the plan does not hold");
  }

  /**
   * A shape's keys with, per key, the value the shape fixes or WRITTEN; worked out once per shape list. Its
   * first use in this import counts (TierUp), which may give it its generated setter.
   */
  shapePlan(shapeId: Encoded | undefined): ShapePlan {
    const plan = (typeof shapeId === "number" ? this.context.shapePlans[shapeId] : undefined) ?? shapePlanOf(this.context.shapes, this.context.shapePlans, shapeId);
    if (plan.lastImport !== this.serial) tierUp(plan, this.serial, this.context.generateCode);
    return plan;
  }

  /** A fixed value: decoded anew for every object (objects never share an array), plain arrays by a copy. */
  private decodeFixed(value: Encoded[]): unknown {
    if (value[0] === Tag.Array) {
      let plain = true;
      for (let i = 1; i < value.length && plain; i++) plain = value[i] === null || typeof value[i] !== "object";
      if (plain) return value.slice(1);
    }
    return this.decodeValue(value);
  }
}


/**
 * An `Error` of the base class holding nothing but its message (and stack): what planning errors are (a plan
 * resolver that threw or returned a non-step). Written by its message; anything more is not exportable.
 */
function isPlainError(value: object): value is Error {
  if (Object.getPrototypeOf(value) !== Error.prototype) return false;
  for (const key of Object.getOwnPropertyNames(value)) if (key !== "message" && key !== "stack") return false;
  return true;
}

/** A reference that does not resolve here (the message is only built then). */
function notFound(what: string): never {
  throw new BadPlan(`the plan names ${what}, which this process does not have`);
}
