// Compiled JSON output, for executeToJSON: like CompileOutput (compileOutput.ts), but the generated code
// writes the response's `data` as JSON text into a JSONWriter as it walks the layers — no object tree in
// between, and walking the arrays in the data of list layers the executor left unopened (compileWalk.ts).
// It gives up exactly where the object form does; the interpretive output then builds the response
// as objects and it is stringified. See spec/output.md, CompileJSONOutput.

import { GraphQLBoolean, GraphQLID, GraphQLString, type GraphQLLeafType } from "graphql";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { LeafShape, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { Bucket } from "../execution/bucket.js";
import { fastLeafTest, isBuiltInLeaf, isGlobalObject, leafTypeOf, orNone } from "./codegen.js";
import { WalkCodegen, type LeafValue } from "./compileWalk.js";
import { JSONWriter } from "./jsonWriter.js";

/** Writes `data` as JSON text from the root bucket and the request's global values, or throws to give up. */
/** `room` and `entry` as CompiledOutput's. */
export type CompiledJSONOutput = (root: Bucket, globals: unknown[], room: number, entry: number) => string;

const compiledByPlan = new WeakMap<OperationPlan, CompiledJSONOutput | null>();

/** The plan's compiled JSON output, made on first use, or null. */
export function compiledJSONOutputOf(plan: OperationPlan): CompiledJSONOutput | null {
  let compiled = compiledByPlan.get(plan);
  if (compiled === undefined) compiledByPlan.set(plan, (compiled = orNone(() => compileJSONOutput(plan))));
  return compiled;
}

/** spec: CompileJSONOutput — the plan's JSON writer, or null where CompileOutput would be null too. */
function compileJSONOutput(plan: OperationPlan): CompiledJSONOutput | null {
  if (plan.operation.operation === "mutation") return null;
  const compiler = new JSONCompiler();
  const root = compiler.selection(plan.root, plan.rootLayer);
  if (root === null) return null;
  const write = compiler.run(root);
  return (rootBucket, globals, room, entry) => {
    const writer = new JSONWriter();
    write(rootBucket, globals, writer, room, entry);
    return writer.text();
  };
}

class JSONCompiler extends WalkCodegen {
  run(root: string): (root: Bucket, globals: unknown[], w: JSONWriter, room: number, entry: number) => void {
    const walked = this.walked;
    const made = this.instantiate<{ write: (root: Bucket, globals: unknown[], w: JSONWriter, room: number, entry: number) => void; counts: Array<(list: unknown) => number> }>(
      `{ write: function compiledJSON(root, g, w, r, e) { room = r; ${root}(root, e, g, w); }, counts: [${walked.map((x) => x.count).join(", ")}] }`,
    );
    // As CompileOutput marks them: the executor may leave these layers unopened, this writer walks them.
    for (let i = 0; i < walked.length; i++) walked[i]!.layer.walk = { countEntries: made.counts[i]! };
    return made.write;
  }

  /** A function `(b, e, g, w)` writing one selection's object, or null when it cannot be compiled. */
  selection(selection: OutputSelection, layer: Layer): string | null {
    return this.objectWriter(selection, "b, e, g, w", (value) => this.value(value, layer));
  }

  /** A function `name(params)` writing one selection's object, each field by the statements `valueCode` gives, or null. */
  private objectWriter(selection: OutputSelection, params: string, valueCode: (value: OutputValue) => string | null): string | null {
    const name = this.name("S");
    const lines: string[] = [];
    if (selection.fields.length === 0) lines.push(`w.raw("{}");`);
    for (let i = 0; i < selection.fields.length; i++) {
      const field = selection.fields[i]!;
      lines.push(`w.raw(${JSON.stringify(`${i === 0 ? "{" : ","}${JSON.stringify(field.responseKey)}:`)});`);
      if (field.value === null) {
        lines.push(`w.raw(${JSON.stringify(JSON.stringify(selection.type.name))});`);
        continue;
      }
      const code = valueCode(field.value);
      if (code === null) return null;
      lines.push(code);
    }
    if (selection.fields.length > 0) lines.push(`w.raw("}");`);
    this.functions.push(`function ${name}(${params}) {\n  let t, c;\n  ${lines.join("\n  ")}\n}`);
    return name;
  }

  protected walkedObject(selection: OutputSelection, valueCode: (value: OutputValue, target: string) => string | null): string | null {
    return this.objectWriter(selection, "o, g, w", (value) => valueCode(value, ""));
  }

  protected walkedList(itemCode: string): string {
    const name = this.name("W");
    this.functions.push(
      `function ${name}(list, g, w) {\n  const n = list.length;\n  let t, it;\n  w.raw("[");\n` +
        `  for (let k = 0; k < n; k++) { if (k > 0) w.raw(","); it = list[k]; ${itemCode} }\n  w.raw("]");\n}`,
    );
    return name;
  }

  protected nullValue(nonNull: boolean): string {
    return nonNull ? "giveUp();" : `w.raw("null");`;
  }

  protected callValue(fn: string): string {
    return `${fn}(t, g, w);`;
  }

  protected leafValue(value: LeafValue, read: string): string | null {
    const whenNull = this.nullValue(value.nonNull);
    if (value.kind === "leaf") {
      if (!isBuiltInLeaf(value.type)) return null;
      return `t = ${read}; ${this.leaf(value.type, whenNull)}`;
    }
    if (!isBuiltInLeaf(leafTypeOf(value.item))) return null;
    return `t = ${read}; if (t == null) ${whenNull} else if (!Array.isArray(t)) giveUp(); else ${this.leafList(value.item)}(t, w);`;
  }

  /** Statements writing the value at `(b, e)` of `layer`, or null. */
  private value(value: OutputValue, layer: Layer): string | null {
    const whenNull = value.nonNull ? "giveUp();" : `w.raw("null");`;
    switch (value.kind) {
      case "leaf":
      case "leafList":
        return this.leafValue(value, this.read(value.step, layer));
      case "object": {
        if (value.step !== value.valueStep) return null;
        const head = `t = ${this.read(value.valueStep, layer)}; if (t == null) ${whenNull} else if (t instanceof FV) giveUp(); `;
        // IsWalkedObject: read from its value, without a bucket, as CompileOutput reads it.
        const walk = isGlobalObject(value) ? null : this.objectWalk(value);
        if (walk !== null) return `${head}else if (typeof t.then === "function") giveUp(); else ${walk}(t, g, w);`;
        const fn = this.selection(value.selection, value.layer);
        if (fn === null) return null;
        if (isGlobalObject(value)) return `${head}else ${fn}(null, 0, g, w);`;
        return `${head}else { c = b.children.get(${value.layer.id}); ${fn}(c, c.entryOfParent[e], g, w); }`;
      }
      case "list": {
        const fn = this.list(value);
        if (fn === null) return null;
        return `t = ${this.read(value.step, layer)}; if (t == null) ${whenNull} else if (!Array.isArray(t)) giveUp(); else ${fn}(b, e, t, g, w);`;
      }
      case "abstract":
        return null;
    }
  }

  /** Statements writing the leaf in `t`: as it is when already of the scalar's type, else serialized. */
  private leaf(type: GraphQLLeafType, whenNull: string): string {
    const index = this.types.push(type) - 1;
    const fast = fastLeafTest(type);
    const slow = `w.value(slowLeaf(types[${index}], t));`;
    if (fast === null) return `if (t == null) ${whenNull} else ${slow}`;
    const write = type === GraphQLString || type === GraphQLID ? "w.str(t);" : type === GraphQLBoolean ? `w.raw(t ? "true" : "false");` : "w.num(t);";
    // An ID that is an integer: its decimal text, as ID's serialize gives it (CompileOutput's leaf).
    const id = type === GraphQLID ? ` else if (typeof t === "number" && Number.isInteger(t)) w.str("" + t);` : "";
    return `if (${fast}) ${write}${id} else if (t == null) ${whenNull} else ${slow}`;
  }

  /** A function `(list, w)` writing a list of leaves (nested lists recurse). */
  private leafList(item: LeafShape): string {
    const name = this.name("F");
    const whenNull = item.nonNull ? "giveUp();" : `w.raw("null");`;
    const body = item.kind === "leaf" ? this.leaf(item.type, whenNull) : `if (t == null) ${whenNull} else if (Array.isArray(t)) ${this.leafList(item.item)}(t, w); else giveUp();`;
    this.functions.push(
      `function ${name}(list, w) {\n  let t;\n  if ((room -= list.length) < 0) giveUp();\n  w.raw("[");\n  for (let k = 0; k < list.length; k++) { if (k > 0) w.raw(","); t = list[k]; ${body} }\n  w.raw("]");\n}`,
    );
    return name;
  }

  /** A function `(p, pe, list, g, w)` writing a list field's items (entries of the list's layer, or walked when it was left unopened). */
  private list(value: Extract<OutputValue, { kind: "list" }>): string | null {
    const name = this.name("L");
    const itemLayer = value.layer;
    const code = this.value(value.item, itemLayer);
    if (code === null) return null;
    const walk = this.walkList(value);
    if (walk !== null) this.walked.push({ layer: itemLayer, count: walk.count });
    const walked = walk === null ? "" : `  if (b0.walkedEntries >= 0) return ${walk.walk}(list, g, w);\n`;
    this.functions.push(
      `function ${name}(p, pe, list, g, w) {\n  const b0 = p.children.get(${itemLayer.id});\n${walked}  const s = b0.childStart[pe], n = list.length;\n  let t, c;\n  w.raw("[");\n` +
        `  for (let k = 0; k < n; k++) { if (k > 0) w.raw(","); const b = b0, e = s + k; ${code} }\n  w.raw("]");\n}`,
    );
    return name;
  }
}
