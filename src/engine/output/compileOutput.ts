// Compiled output: for each operation plan, once, a function generated with `new Function` that builds the
// response from the layers' results — object literals with a fixed key order, leaves of the built-in
// scalars taken as they are when already of the right type, property reads done inline. It handles only
// the clean path: anything unusual (a flag, a null at a non-null position, a value a scalar must coerce or
// reject, a promise) makes it give up, and the interpretive output — the reference — builds the response
// instead. No user text is ever spliced into the code: response keys are GraphQL names, and every key is
// written through JSON.stringify; step and layer ids are numbers. See spec/output.md, CompileOutput.

import type { GraphQLLeafType } from "graphql";
import type { Layer } from "../layer.js";
import type { OperationPlan } from "../operationPlan.js";
import type { LeafShape, OutputSelection, OutputValue } from "../outputPlan.js";
import type { Bucket } from "../execution/bucket.js";
import { OutputCodegen, fastLeafTest, isBuiltInLeaf, leafTypeOf } from "./codegen.js";

/** Builds `data` from the root bucket and the request's global values, or throws to give up. */
export type CompiledOutput = (root: Bucket, globals: unknown[]) => Record<string, unknown>;

const compiledByPlan = new WeakMap<OperationPlan, CompiledOutput | null>();

/** The plan's compiled output, made on first use (a plan never executed compiles nothing), or null. */
export function compiledOutputOf(plan: OperationPlan): CompiledOutput | null {
  let compiled = compiledByPlan.get(plan);
  if (compiled === undefined) compiledByPlan.set(plan, (compiled = compileOutput(plan)));
  return compiled;
}

/** spec: CompileOutput — the plan's compiled output, or null when its output has a shape it does not handle. */
function compileOutput(plan: OperationPlan): CompiledOutput | null {
  if (plan.operation.operation === "mutation") return null;
  return new OutputCompiler().compile(plan);
}

class OutputCompiler extends OutputCodegen {
  /** The compiled output, or null when some position cannot be compiled. */
  compile(plan: OperationPlan): CompiledOutput | null {
    const root = this.selection(plan.root, plan.rootLayer);
    if (root === null) return null;
    return this.instantiate<CompiledOutput>(`function compiledOutput(root, g) { return ${root}(root, 0, g); }`);
  }

  /** A function `(b, e, g) => object` for one selection in `layer`, or null when it cannot be compiled. */
  selection(selection: OutputSelection, layer: Layer): string | null {
    const name = this.name("S");
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
      const code = this.value(field.value, layer, `v${i}`);
      if (code === null) return null;
      lines.push(`let v${i};`, code);
    }
    this.functions.push(`function ${name}(b, e, g) {\n  let t, c;\n  ${lines.join("\n  ")}\n  return { ${keys.join(", ")} };\n}`);
    return name;
  }

  /** Statements that set `target` to the completed value at `(b, e)` of `layer`, or null. */
  private value(value: OutputValue, layer: Layer, target: string): string | null {
    const whenNull = value.nonNull ? "giveUp()" : "null";
    switch (value.kind) {
      case "leaf":
        if (!isBuiltInLeaf(value.type)) return null;
        return `t = ${this.read(value.step, layer)}; ${target} = ${this.leaf(value.type, whenNull)};`;
      case "leafList": {
        if (!isBuiltInLeaf(leafTypeOf(value.item))) return null;
        const fn = this.leafList(value.item);
        return `t = ${this.read(value.step, layer)}; if (t == null) ${target} = ${whenNull}; else if (!Array.isArray(t)) giveUp(); else ${target} = ${fn}(t);`;
      }
      case "object": {
        if (value.step !== value.valueStep) return null; // an isTypeOf check: the interpretive output
        const fn = this.selection(value.selection, value.layer);
        if (fn === null) return null;
        return (
          `t = ${this.read(value.valueStep, layer)}; if (t == null) ${target} = ${whenNull}; else if (t instanceof FV) giveUp(); ` +
          `else { c = b.children.get(${value.layer.id}); ${target} = ${fn}(c, c.entryOfParent[e], g); }`
        );
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

  /** A leaf from `t`: taken as it is when already of the scalar's type, else serialized (or give up). */
  private leaf(type: GraphQLLeafType, whenNull: string): string {
    const index = this.types.push(type) - 1;
    const fast = fastLeafTest(type);
    const slow = `slowLeaf(types[${index}], t)`;
    return fast === null ? `(t == null ? ${whenNull} : ${slow})` : `(${fast} ? t : t == null ? ${whenNull} : ${slow})`;
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
      `function ${name}(list) {\n  const n = list.length, out = new Array(n);\n  let t, x;\n  for (let k = 0; k < n; k++) { t = list[k]; ${body} out[k] = x; }\n  return out;\n}`,
    );
    return name;
  }

  /** A function `(b, e, list, g) => items` for a list field: its items are entries of the list's layer. */
  private list(value: Extract<OutputValue, { kind: "list" }>): string | null {
    const name = this.name("L");
    const itemLayer = value.layer;
    const code = this.value(value.item, itemLayer, "x");
    if (code === null) return null;
    this.functions.push(
      `function ${name}(p, pe, list, g) {\n  const b0 = p.children.get(${itemLayer.id}), s = b0.childStart[pe], n = list.length, out = new Array(n);\n` +
        `  let t, c, x;\n  for (let k = 0; k < n; k++) { const b = b0, e = s + k; ${code} out[k] = x; }\n  return out;\n}`,
    );
    return name;
  }
}
