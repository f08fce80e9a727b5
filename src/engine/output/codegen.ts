// What the compiled outputs share (objects: compileOutput.ts; JSON text: compileJSON.ts): giving up, the
// leaf checks, and reading a step's value through the parent-index maps as generated code. Generated code
// never holds user text: ids are numbers, keys and property names go through JSON.stringify.

import { GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, isEnumType, specifiedScalarTypes, type GraphQLLeafType } from "graphql";
import { FlaggedValue } from "../flags.js";
import type { Step } from "../step.js";
import { ResolverStep } from "../planning/steps/resolver.js";
import type { Layer } from "../planning/layer.js";
import type { LeafShape, OutputValue } from "../planning/outputPlan.js";

/** Why the compiled output gave up: the interpretive output takes over. */
const GIVE_UP = new Error("graphscale: compiled output gave up");

export function giveUp(): never {
  throw GIVE_UP;
}

/** A compilation's result, or null when it fails (`new Function` refused by the runtime): the interpretive output answers. */
export function orNone<T>(compile: () => T | null): T | null {
  try {
    return compile();
  } catch {
    return null;
  }
}

/** A leaf value that is not already of its scalar's result type: serialize it, or give up on anything odd. */
export function slowLeaf(type: GraphQLLeafType, value: unknown): unknown {
  // An object's valueOf/toJSON is user code, which the interpretive output will call once itself.
  if (value !== null && (typeof value === "object" || typeof value === "function")) giveUp();
  let result: unknown;
  try {
    result = type.serialize(value);
  } catch {
    giveUp();
  }
  if (result == null) giveUp();
  return result;
}

/** The test that a built-in scalar's value needs no serialize call, as a JS condition over `t`. */
export function fastLeafTest(type: GraphQLLeafType): string | null {
  if (type === GraphQLString || type === GraphQLID) return `typeof t === "string"`;
  if (type === GraphQLInt) return `typeof t === "number" && (t | 0) === t`;
  if (type === GraphQLFloat) return `typeof t === "number" && t - t === 0`;
  if (type === GraphQLBoolean) return `typeof t === "boolean"`;
  return null;
}

/**
 * Whether serializing this leaf type runs no user code (the specified scalars and enums): the compiled
 * output may call it, give up, and leave the interpretive output to call it again. A custom scalar's
 * serialize is user code, called exactly as often as graphql-js calls it: its plans are not compiled.
 */
export function isBuiltInLeaf(type: GraphQLLeafType): boolean {
  // By identity: a scalar of the schema's own merely named "ID" has a serialize of its own.
  return isEnumType(type) || (specifiedScalarTypes as readonly GraphQLLeafType[]).includes(type);
}

export function leafTypeOf(shape: LeafShape): GraphQLLeafType {
  return shape.kind === "leaf" ? shape.type : leafTypeOf(shape.item);
}

/**
 * graphql-js's default resolver read inline from the expression `from` (ReadResolverInline's compiled form): a
 * null source gives itself, a flagged one its flag; a primitive source, a method or an Error value gives up.
 */
export function resolverRead(from: string, key: string | number): string {
  return `((t = ${from}) == null || t instanceof FV ? t : typeof t !== "object" || typeof (t = t[${JSON.stringify(key)}]) === "function" || t instanceof Error ? giveUp() : t)`;
}

/** The key of a Resolver step read inline (InlineDefaultResolver: graphql-js's default resolver), else null. */
export function inlineResolverKey(step: Step): string | number | null {
  return step instanceof ResolverStep && step.inlined !== null && step.inlined.length === 1 ? step.inlined[0]! : null;
}

/** Whether `step`'s value is a global's, read directly or through inlined property reads. */
function readsGlobal(step: Step): boolean {
  let s = step;
  while (s.inlined !== null) s = s.dependencies[0]!;
  return s.isGlobal;
}

export type ObjectValue = Extract<OutputValue, { kind: "object" }>;
export type LeafValue = Extract<OutputValue, { kind: "leaf" | "leafList" }>;

/**
 * Whether an object position's layer needs no bucket for the compiled output, by two tests of the reader's
 * (IsGlobalObject, IsWalkedObject): the layer is a nullable boundary on the position's value with no step to
 * run that `own` admits, `leaf` admits every leaf below, every object below is such a position too, and no
 * list (but a list of leaves) or abstract position lies below (the layer has no child layer but those objects').
 */
export function isBucketFreeObject(value: ObjectValue, own: (value: ObjectValue) => boolean, leaf: (value: LeafValue) => boolean): boolean {
  const layer = value.layer;
  if (value.step !== value.valueStep || layer.reason.type !== "nullableBoundary" || layer.executableSteps.length > 0) return false;
  if (!own(value)) return false;
  let nested = 0;
  for (const field of value.selection.fields) {
    const v = field.value;
    if (v === null) continue;
    if (v.kind === "list" || v.kind === "abstract") return false;
    if (v.kind === "object") {
      if (!isBucketFreeObject(v, own, leaf)) return false;
      nested++;
    } else if (!leaf(v)) return false;
  }
  // Every child layer is one of the nested objects' (none that the output does not show).
  return layer.children.length === nested;
}

const objectReadsGlobal = (value: ObjectValue): boolean => readsGlobal(value.valueStep);
const leafReadsGlobal = (value: LeafValue): boolean => readsGlobal(value.step);

/**
 * spec: IsGlobalObject — an object position whose layer needs no bucket for the compiled output: a
 * nullable boundary with no step to run whose every read, its own object's included, is of a global step,
 * and whose nested objects are such positions too (no list, no abstract position below). The generated code
 * calls its selection with no bucket; the executor may leave the layer unopened (LeaveForWalk).
 */
export function isGlobalObject(value: ObjectValue): boolean {
  return isBucketFreeObject(value, objectReadsGlobal, leafReadsGlobal);
}

/** The generated functions of one compiled output, and how they read values. */
export abstract class OutputCodegen {
  readonly functions: string[] = [];
  readonly types: GraphQLLeafType[] = [];
  private next = 0;

  protected name(prefix: string): string {
    return `${prefix}${this.next++}`;
  }

  /** The generated module: its functions, then `return` of the entry function. */
  protected instantiate<T>(entry: string, extra: Record<string, unknown> = {}): T {
    const names = ["FV", "giveUp", "slowLeaf", "types", ...Object.keys(extra)];
    // `room`: the entries the response may still hold, set by the entry function for the call (lists of leaves).
    const body = `"use strict";\nlet room = 0;\n${this.functions.join("\n")}\nreturn ${entry};`;
    return new Function(...names, body)(FlaggedValue, giveUp, slowLeaf, this.types, ...Object.values(extra)) as T;
  }

  /** An expression for `step`'s value at entry `e` of bucket `b` (in `layer`): through the parent-index maps. */
  protected read(step: Step, layer: Layer): string {
    const path = step.inlined;
    if (path !== null) {
      // A property read: a null parent gives null (completed as null), a flagged one its flag (give up).
      if (path.length > 1) return this.readPath(step, layer);
      if (step instanceof ResolverStep) return resolverRead(this.read(step.dependencies[0]!, layer), path[0]!);
      return `((t = ${this.read(step.dependencies[0]!, layer)}) == null || t instanceof FV ? t : t[${JSON.stringify(path[0])}])`;
    }
    if (step.isGlobal) return `g[${step.id}]`;
    let bucket = "b";
    let entry = "e";
    for (let l: Layer | null = layer; l !== null && l.id !== step.layerId; l = l.parent) {
      entry = `${bucket}.parentIndex[${entry}]`;
      bucket = `${bucket}.parent`;
    }
    return `${bucket}.values[${step.id}][${entry}]`;
  }

  /** An inlined read of a multi-key path: one helper function per step, so the code stays simple. */
  protected readPath(step: Step, layer: Layer): string {
    return `${this.pathReader(step.inlined!)}(${this.read(step.dependencies[0]!, layer)})`;
  }

  /** A helper `(v) => value` reading a multi-key path as an inlined read does (a flag stays the flag). */
  protected pathReader(path: ReadonlyArray<string | number>): string {
    const name = this.name("P");
    const steps = path.map((key) => `if (v == null) return undefined; v = v[${JSON.stringify(key)}];`).join(" ");
    this.functions.push(`function ${name}(v) { if (v instanceof FV) return v; ${steps} return v; }`);
    return name;
  }
}
