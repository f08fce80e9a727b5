// The value codec of exported plans: step fields, layer reasons and the output plan as JSON. Steps, layers,
// GraphQL types and fields, document nodes and named functions are written as references and found again
// in the importing process; anything else that is not plain data cannot be exported and says where it sits.

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
  visit,
  type ASTNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type OperationDefinitionNode,
} from "graphql";
import { Step } from "../step.js";
import { Layer } from "../layer.js";
import type { SchemaFunctions } from "./registry.js";

/** A JSON value of an exported plan. */
export type Encoded = null | boolean | number | string | Encoded[] | { readonly [key: string]: Encoded };

/** Thrown when a value cannot be written: the message says what it is; the caller adds which step holds it. */
export class NotExportable extends Error {}

/** Document nodes numbered in visiting order, per scope ("" for the operation, a fragment's name otherwise). */
export function documentNodes(operation: OperationDefinitionNode, fragments: { readonly [name: string]: FragmentDefinitionNode }): Map<string, ASTNode[]> {
  const scopes = new Map<string, ASTNode[]>();
  const collect = (scope: string, root: ASTNode): void => {
    const nodes: ASTNode[] = [];
    visit(root, { enter: (node) => void nodes.push(node) });
    scopes.set(scope, nodes);
  };
  collect("", operation);
  for (const name of Object.keys(fragments).sort()) collect(name, fragments[name]!);
  return scopes;
}

const META_FIELDS: ReadonlyArray<GraphQLField<unknown, unknown>> = [SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef];

function fieldNames(schema: GraphQLSchema): Map<GraphQLField<unknown, unknown>, string> {
  const names = new Map<GraphQLField<unknown, unknown>, string>();
  for (const meta of META_FIELDS) names.set(meta, meta.name);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) names.set(field, `${type.name}.${field.name}`);
  }
  return names;
}

/** What the encoder needs to write references. */
export interface EncodeContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: object;
  readonly functions: SchemaFunctions;
  readonly layerOfReason: ReadonlyMap<object, number>;
}

export class PlanEncoder {
  private readonly nodeIds = new Map<ASTNode, Encoded>();
  private fields: Map<GraphQLField<unknown, unknown>, string> | null = null;

  constructor(private readonly context: EncodeContext, nodes: Map<string, ASTNode[]>) {
    for (const [scope, list] of nodes) for (let i = 0; i < list.length; i++) this.nodeIds.set(list[i]!, { $: "a", s: scope, i });
  }

  /** spec: EncodeValue — one value of a step, a layer reason or the output plan, as JSON. */
  encodeValue(value: unknown): Encoded {
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? value : { $: "n", v: String(value) };
    if (value === undefined) return { $: "u" };
    if (typeof value === "function") {
      const name = this.context.functions.nameOf.get(value);
      if (name === undefined) throw new NotExportable(`the function ${value.name || "(anonymous)"} is not registered (makeSchema({ functions: { name: fn } }))`);
      return { $: "f", n: name };
    }
    if (typeof value !== "object") throw new NotExportable(`a ${typeof value} value`);
    if (Array.isArray(value)) return value.map((v) => this.encodeValue(v));
    if (value instanceof Step) return { $: "s", i: value.id };
    if (value instanceof Layer) return { $: "l", i: value.id };
    const layer = this.context.layerOfReason.get(value);
    if (layer !== undefined) return { $: "r", i: layer };
    if (isType(value)) return { $: "t", n: String(value) };
    if (value === this.context.schema) return { $: "S" };
    if (value === this.context.fragments) return { $: "F" };
    const node = this.nodeIds.get(value as ASTNode);
    if (node !== undefined) return node;
    if (value instanceof Map) return { $: "m", v: [...value].map(([k, v]) => [this.encodeValue(k), this.encodeValue(v)]) };
    const fieldName = (this.fields ??= fieldNames(this.context.schema)).get(value as GraphQLField<unknown, unknown>);
    if (fieldName !== undefined) return { $: "d", n: fieldName };
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new NotExportable(`a ${proto?.constructor?.name ?? "class"} instance`);
    const out: { [key: string]: Encoded } = {};
    for (const key of Object.keys(value)) out[key] = this.encodeValue((value as Record<string, unknown>)[key]);
    return { $: "o", v: out };
  }
}

/** What the decoder finds references in. */
export interface DecodeContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: object;
  readonly nodes: Map<string, ASTNode[]>;
  readonly functions: SchemaFunctions;
  readonly steps: ReadonlyArray<Step | null>;
  readonly layers: readonly Layer[];
}

/** Thrown on anything an exported plan should not contain: the plan is then built again. */
export class BadPlan extends Error {}

export class PlanDecoder {
  private fields: Map<string, GraphQLField<unknown, unknown>> | null = null;

  constructor(private readonly context: DecodeContext) {}

  /** spec: DecodeValue — the inverse of EncodeValue against the importing process's schema and document. */
  decodeValue(value: Encoded): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.decodeValue(v));
    const c = this.context;
    switch (value.$) {
      case "u":
        return undefined;
      case "n":
        return Number(value.v);
      case "o": {
        const out: Record<string, unknown> = {};
        const fields = value.v as { [key: string]: Encoded };
        for (const key of Object.keys(fields)) out[key] = this.decodeValue(fields[key]!);
        return out;
      }
      case "s":
        return found(c.steps[value.i as number], `step ${String(value.i)}`);
      case "l":
        return found(c.layers[value.i as number], `layer ${String(value.i)}`);
      case "r":
        return found(c.layers[value.i as number], `layer ${String(value.i)}`).reason;
      case "f":
        return found(c.functions.byName.get(value.n as string), `function ${String(value.n)}`);
      case "t":
        return found(typeFromAST(c.schema, parseType(value.n as string) as never), `type ${String(value.n)}`);
      case "S":
        return c.schema;
      case "F":
        return c.fragments;
      case "a":
        return found(c.nodes.get(value.s as string)?.[value.i as number], `document node ${String(value.s)}#${String(value.i)}`);
      case "m":
        return new Map((value.v as Encoded[][]).map(([k, v]) => [this.decodeValue(k!), this.decodeValue(v!)]));
      case "d":
        return found(this.fieldByName(value.n as string), `field ${String(value.n)}`);
      default:
        throw new BadPlan(`unknown value tag ${JSON.stringify(value.$)}`);
    }
  }

  private fieldByName(name: string): GraphQLField<unknown, unknown> | undefined {
    if (this.fields === null) {
      this.fields = new Map();
      for (const [field, n] of fieldNames(this.context.schema)) this.fields.set(n, field);
    }
    return this.fields.get(name);
  }
}

function found<T>(value: T | undefined | null, what: string): T {
  if (value == null) throw new BadPlan(`the plan names ${what}, which this process does not have`);
  return value;
}
