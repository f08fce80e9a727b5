// Compiled output: for each operation plan, once, a function generated with `new Function` that builds the
// response from the layers' results — object literals with a fixed key order, leaves of the built-in
// scalars taken as they are when already of the right type, property reads done inline. It handles only
// the clean path: anything unusual (a flag, a null at a non-null position, a value a scalar must coerce or
// reject, a promise) makes it give up, and the interpretive output — the reference — builds the response
// instead. A list layer holding only items and property reads is also walked in the data itself when the
// executor left it unopened (compileWalk.ts). No user text is ever spliced into the code: response keys are
// GraphQL names, and every key is written through JSON.stringify; step and layer ids are numbers. See
// spec/output.md, CompileOutput and "Walked lists".

import { GraphQLID, type GraphQLLeafType } from "graphql";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { LeafShape, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { Bucket } from "../execution/bucket.js";
import { fastLeafTest, isBuiltInLeaf, isGlobalObject, leafTypeOf, orNone } from "./codegen.js";
import { WalkCodegen, type LeafValue } from "./compileWalk.js";

/**
 * Builds `data` from the root bucket (at entry `entry`, 0 unless a window adopted the request) and the
 * request's global values, or throws to give up. `room`: the entries the response may still hold
 * (maxResponseEntries less the request's); lists of leaves use it.
 */
export type CompiledOutput = (root: Bucket, globals: unknown[], room: number, entry: number) => Record<string, unknown>;

/** A plan past its first response whose output can be compiled, not yet generated (CompiledOutputOf). */
const PENDING = "pending";

/**
 * Per plan: its compiled output, or null, once made; after its first response, PENDING, or null when the
 * plan's output cannot be compiled (CompiledOutputOf).
 */
const compiledByPlan = new WeakMap<OperationPlan, CompiledOutput | typeof PENDING | null>();

/** Counts (tests read them): compiled outputs generated, and compiled into functions. */
export const compiledOutputCounts = { generated: 0, compiled: 0 };

/**
 * spec: CompiledOutputOf — the plan's compiled output, or null when its output cannot be compiled, or
 * undefined on its first response (OutputCompilable decides then; the code is generated and compiled on
 * the plan's second response).
 */
export function compiledOutputOf(plan: OperationPlan): CompiledOutput | null | undefined {
  const known = compiledByPlan.get(plan);
  if (known !== PENDING) return known;
  const generated = orNone(() => compileOutput(plan));
  if (generated !== null) compiledOutputCounts.generated++;
  const compiled = generated === null ? null : orNone(() => generated.compile());
  compiledByPlan.set(plan, compiled);
  return compiled;
}

/**
 * The plan's first response: whether its output can be compiled (OutputCompilable), no code made; the
 * interpretive output builds this response, with plain objects when true (CompiledOutputOf). A plan
 * already past its first response answers as compiledOutputOf does.
 */
export function firstOutputUse(plan: OperationPlan): boolean {
  const known = compiledByPlan.get(plan);
  if (known !== undefined) return known !== null;
  const compilable = outputCompilable(plan);
  compiledByPlan.set(plan, compilable ? PENDING : null);
  return compilable;
}

/**
 * spec: OutputCompilable — whether CompileOutput generates code for the plan, worked out without making
 * any: not a mutation, and no position it leaves to the interpretive output (a response key `__proto__`,
 * an object position checked by an IsTypeOf step, an abstract position, a leaf that is not a built-in
 * scalar or enum). A walk (compileWalk.ts) is an alternative code for a position, never a reason to give one up.
 */
export function outputCompilable(plan: OperationPlan): boolean {
  return plan.operation.operation !== "mutation" && selectionCompilable(plan.root);
}

function selectionCompilable(selection: OutputSelection): boolean {
  for (const field of selection.fields) {
    if (field.responseKey === "__proto__") return false;
    if (field.value !== null && !valueCompilable(field.value)) return false;
  }
  return true;
}

function valueCompilable(value: OutputValue): boolean {
  switch (value.kind) {
    case "leaf":
      return isBuiltInLeaf(value.type);
    case "leafList":
      return isBuiltInLeaf(leafTypeOf(value.item));
    case "object":
      return value.step === value.valueStep && selectionCompilable(value.selection);
    case "list":
      return valueCompilable(value.item);
    case "abstract":
      return false;
  }
}

/**
 * spec: CompileOutput — the plan's output code, generated (compiled by its `compile`), or null when its
 * output has a shape it does not handle. Exported for the test that holds OutputCompilable to it.
 */
export function compileOutput(plan: OperationPlan): Generated | null {
  if (plan.operation.operation === "mutation") return null;
  return new OutputCompiler().generate(plan);
}

/** A plan's output code, generated and not yet compiled. */
interface Generated {
  compile(): CompiledOutput;
}

class OutputCompiler extends WalkCodegen {
  /** The layers of the positions isGlobalObject admits: read without buckets. */
  private readonly globalObjects: Layer[] = [];

  /** The generated code (compiled by its `compile`), or null when some position cannot be compiled. */
  generate(plan: OperationPlan): Generated | null {
    const root = this.selection(plan.root, plan.rootLayer);
    if (root === null) return null;
    return { compile: () => this.compile(root) };
  }

  private compile(root: string): CompiledOutput {
    const walked = this.walked;
    const made = this.instantiate<{ output: CompiledOutput; counts: Array<(list: unknown) => number> }>(
      `{ output: function compiledOutput(root, g, r, e) { room = r; return ${root}(root, e, g); }, counts: [${walked.map((w) => w.count).join(", ")}] }`,
    );
    compiledOutputCounts.compiled++;
    // From now on the executor may leave these layers unopened (LeaveForWalk): this output walks them, or
    // reads only globals below them.
    for (let i = 0; i < walked.length; i++) walked[i]!.layer.walk = { countEntries: made.counts[i]! };
    for (const layer of this.globalObjects) layer.globalObject = true;
    return made.output;
  }

  /** A function `(b, e, g) => object` for one selection in `layer`, or null when it cannot be compiled. */
  selection(selection: OutputSelection, layer: Layer): string | null {
    return this.objectFunction(selection, "b, e, g", (value, target) => this.value(value, layer, target));
  }

  /**
   * A function `name(params)` returning one selection's object literal (keys in order), each field's value
   * set by the statements `valueCode` gives, or null when a field cannot be compiled.
   */
  private objectFunction(selection: OutputSelection, params: string, valueCode: (value: OutputValue, target: string) => string | null): string | null {
    const lines: string[] = [];
    const keys: string[] = [];
    for (let i = 0; i < selection.fields.length; i++) {
      const field = selection.fields[i]!;
      // `"__proto__": v` in an object literal would set the prototype, not a key: leave such a response
      // (an alias named __proto__) to the interpretive output.
      if (field.responseKey === "__proto__") return null;
      keys.push(`${JSON.stringify(field.responseKey)}: v${i}`);
      if (field.value === null) {
        lines.push(`const v${i} = ${JSON.stringify(selection.type.name)};`);
        continue;
      }
      const code = valueCode(field.value, `v${i}`);
      if (code === null) return null;
      lines.push(`let v${i};`, code);
    }
    const name = this.name("S");
    this.functions.push(`function ${name}(${params}) {\n  let t, c;\n  ${lines.join("\n  ")}\n  return { ${keys.join(", ")} };\n}`);
    return name;
  }

  protected walkedObject(selection: OutputSelection, valueCode: (value: OutputValue, target: string) => string | null): string | null {
    return this.objectFunction(selection, "o, g", valueCode);
  }

  protected walkedList(itemCode: string): string {
    const name = this.name("W");
    this.functions.push(
      `function ${name}(list, g) {\n  const n = list.length, out = new Array(n);\n  let t, it, x;\n` +
        `  for (let k = 0; k < n; k++) { it = list[k]; ${itemCode} out[k] = x; }\n  return out;\n}`,
    );
    return name;
  }

  protected nullValue(nonNull: boolean, target: string): string {
    return nonNull ? "giveUp();" : `${target} = null;`;
  }

  protected callValue(fn: string, target: string): string {
    return `${target} = ${fn}(t, g);`;
  }

  /** Statements that set `target` to the completed value at `(b, e)` of `layer`, or null. */
  private value(value: OutputValue, layer: Layer, target: string): string | null {
    const whenNull = value.nonNull ? "giveUp()" : "null";
    switch (value.kind) {
      case "leaf":
      case "leafList":
        return this.leafValue(value, this.read(value.step, layer), target);
      case "object": {
        if (value.step !== value.valueStep) return null; // an isTypeOf check: the interpretive output
        const head = `t = ${this.read(value.valueStep, layer)}; if (t == null) ${target} = ${whenNull}; else if (t instanceof FV) giveUp(); `;
        const walk = isGlobalObject(value) ? null : this.objectWalk(value);
        if (walk !== null) {
          // IsWalkedObject: read from its value, without a bucket (a promise would have been awaited: give up).
          this.globalObjects.push(value.layer);
          return `${head}else if (typeof t.then === "function") giveUp(); else ${target} = ${walk}(t, g);`;
        }
        const fn = this.selection(value.selection, value.layer);
        if (fn === null) return null;
        if (isGlobalObject(value)) {
          this.globalObjects.push(value.layer);
          return `${head}else ${target} = ${fn}(null, 0, g);`;
        }
        return `${head}else { c = b.children.get(${value.layer.id}); ${target} = ${fn}(c, c.entryOfParent[e], g); }`;
      }
      case "list": {
        const fn = this.list(value);
        if (fn === null) return null;
        return `t = ${this.read(value.step, layer)}; if (t == null) ${target} = ${whenNull}; else if (!Array.isArray(t)) giveUp(); else ${target} = ${fn}(b, e, t, g);`;
      }
      case "abstract":
        return null;
    }
  }

  protected leafValue(value: LeafValue, read: string, target: string): string | null {
    const whenNull = value.nonNull ? "giveUp()" : "null";
    if (value.kind === "leaf") {
      if (!isBuiltInLeaf(value.type)) return null;
      return `t = ${read}; ${target} = ${this.leaf(value.type, whenNull)};`;
    }
    if (!isBuiltInLeaf(leafTypeOf(value.item))) return null;
    const fn = this.leafList(value.item);
    return `t = ${read}; if (t == null) ${target} = ${whenNull}; else if (!Array.isArray(t)) giveUp(); else ${target} = ${fn}(t);`;
  }

  /** A leaf from `t`: taken as it is when already of the scalar's type, else serialized (or give up). */
  private leaf(type: GraphQLLeafType, whenNull: string): string {
    const index = this.types.push(type) - 1;
    const fast = fastLeafTest(type);
    const slow = `slowLeaf(types[${index}], t)`;
    if (fast === null) return `(t == null ? ${whenNull} : ${slow})`;
    // An ID that is an integer (a numeric key): what ID's serialize gives, its decimal text, without the call.
    if (type === GraphQLID) return `(${fast} ? t : typeof t === "number" && Number.isInteger(t) ? "" + t : t == null ? ${whenNull} : ${slow})`;
    return `(${fast} ? t : t == null ? ${whenNull} : ${slow})`;
  }

  /** A function `(list) => list` for a list of leaves (nested lists recurse). */
  private leafList(item: LeafShape): string {
    const name = this.name("F");
    const whenNull = item.nonNull ? "giveUp()" : "null";
    let body: string;
    if (item.kind === "leaf") {
      body = `x = ${this.leaf(item.type, whenNull)};`;
    } else {
      const inner = this.leafList(item.item);
      body = `x = t == null ? ${whenNull} : Array.isArray(t) ? ${inner}(t) : giveUp();`;
    }
    this.functions.push(
      `function ${name}(list) {\n  const n = list.length, out = new Array(n);\n  if ((room -= n) < 0) giveUp();\n  let t, x;\n  for (let k = 0; k < n; k++) { t = list[k]; ${body} out[k] = x; }\n  return out;\n}`,
    );
    return name;
  }

  /**
   * A function `(p, pe, list, g) => items` for a list field: its items are entries of the list's layer — or,
   * when the executor left that layer unopened (LeaveForWalk), the list's own items, walked in the data.
   */
  private list(value: Extract<OutputValue, { kind: "list" }>): string | null {
    const name = this.name("L");
    const itemLayer = value.layer;
    const code = this.value(value.item, itemLayer, "x");
    if (code === null) return null;
    const walk = this.walkList(value);
    if (walk !== null) this.walked.push({ layer: itemLayer, count: walk.count });
    const walked = walk === null ? "" : `  if (b0.walkedEntries >= 0) return ${walk.walk}(list, g);\n`;
    this.functions.push(
      `function ${name}(p, pe, list, g) {\n  const b0 = p.children.get(${itemLayer.id});\n${walked}  const s = b0.childStart[pe], n = list.length, out = new Array(n);\n` +
        `  let t, c, x;\n  for (let k = 0; k < n; k++) { const b = b0, e = s + k; ${code} out[k] = x; }\n  return out;\n}`,
    );
    return name;
  }
}
