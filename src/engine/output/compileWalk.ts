// Walked lists, the generated side (spec/output.md): for a list layer below which the plan holds only the
// items and property reads, code that walks the lists in the data itself — items straight from the arrays,
// each object's fields read as properties, as graphql-js's default resolver reads them — instead of reading
// the layers' buckets; and code counting the entries those layers would open, which LeaveForWalk runs
// before it leaves them unopened. Anything else in such a subtree (a step of any other kind, an abstract
// position, a resolver's list) and the layer is not walked. Ids are numbers and property names go through
// JSON.stringify: no user text reaches the code.

import type { Layer } from "../planning/layer.js";
import type { Step } from "../step.js";
import type { OutputSelection, OutputValue } from "../planning/outputPlan.js";
import { inlineResolverKey, isBucketFreeObject, OutputCodegen, resolverRead, type LeafValue, type ObjectValue } from "./codegen.js";

export type { LeafValue };
type ListValue = Extract<OutputValue, { kind: "list" }>;

/** A step's value in walking code: an expression, and whether it is known to be an object (not null, no flag). */
interface Known {
  readonly expr: string;
  readonly object: boolean;
}
type Env = Map<Step, Known>;

/** The path a step reads from its one dependency, when a property read is all it does (AccessStep), else null. */
function propertyPath(step: Step): ReadonlyArray<string | number> | null {
  if (step.hasSideEffects || step.isGlobal || step.dependencies.length !== 1) return null;
  return step.inlined ?? step.inlineRead();
}

/** Whether walking code reads `step` from its dependency's value: a property read, or a Resolver step read inline. */
function walkable(step: Step): boolean {
  return propertyPath(step) !== null || inlineResolverKey(step) !== null;
}

/** IsWalkedObject's test of the position itself: its layer is on its value, and a walk reads every step of it. */
function walkedLayer(value: ObjectValue): boolean {
  const layer = value.layer;
  const reason = layer.reason;
  if (reason.type !== "nullableBoundary" || reason.parentStep !== value.valueStep || layer.errorValuesAreErrors) return false;
  for (const step of layer.steps) if (!walkable(step)) return false;
  return true;
}

/** Any leaf: a walk reads it from its object. */
const anyLeaf = (): boolean => true;

/**
 * spec: IsWalkedObject — an object position read from its value, without a bucket: its layer is a nullable
 * boundary on that value with no step to run and only walkable steps (property reads, Resolver steps read
 * inline), no list (but of leaves) or abstract position lies below, and every object below is such a
 * position too (the layer has no child layer but theirs).
 */
export function isWalkedObject(value: ObjectValue): boolean {
  return isBucketFreeObject(value, walkedLayer, anyLeaf);
}

/** A list layer's generated walk `(list, g) => items` and count `(list) => entries or -1`. */
interface Walk {
  readonly walk: string;
  readonly count: string;
}

export abstract class WalkCodegen extends OutputCodegen {
  private readonly walks = new Map<Layer, Walk | null>();
  private readonly counts = new Map<Layer, string | null>();
  /** The layers whose bucket-reading code also walks them when left unopened, with their count functions. */
  protected readonly walked: Array<{ readonly layer: Layer; readonly count: string }> = [];

  // What differs between the compiled outputs (objects, JSON text): how a value is set or written.

  /** Statements completing a leaf or a list of leaves from the expression `read` into `target`, or null. */
  protected abstract leafValue(value: LeafValue, read: string, target: string): string | null;
  /** The statement for a null at a position (`giveUp()` where it is non-null). */
  protected abstract nullValue(nonNull: boolean, target: string): string;
  /** The statement completing a position with the generated function `fn` of the value `t`. */
  protected abstract callValue(fn: string, target: string): string;
  /** A function `(o, g, …)` completing a selection from the object `o`, each field by `valueCode`, or null. */
  protected abstract walkedObject(selection: OutputSelection, valueCode: (value: OutputValue, target: string) => string | null): string | null;
  /** A function `(list, g, …)` completing every item `it` of a list with the statements `itemCode` (into `x`). */
  protected abstract walkedList(itemCode: string): string;

  /**
   * For an object position read from a bucket, the function walking it from its value `(o, g, …)` when its
   * layer needs no bucket (IsWalkedObject), else null. The compiled output calls it with the position's
   * value, and CompileOutput marks the layer (`layer.globalObject`: read without a bucket).
   */
  protected objectWalk(value: ObjectValue): string | null {
    if (!isWalkedObject(value)) return null;
    const env: Env = new Map([[value.valueStep, { expr: "o", object: true }]]);
    return this.walkedObject(value.selection, (field, target) => this.walkValue(field, env, target));
  }

  /** The walk of a list position's layer, compiled once per layer, or null when it cannot be walked. */
  protected walkList(value: ListValue): Walk | null {
    let walk = this.walks.get(value.layer);
    if (walk === undefined) this.walks.set(value.layer, (walk = this.compileWalk(value)));
    return walk;
  }

  private compileWalk(value: ListValue): Walk | null {
    const layer = value.layer;
    const reason = layer.reason;
    if (reason.type !== "listItem" || reason.listStep !== value.step || layer.itemStep === null) return null;
    const count = this.countWalkedEntries(layer);
    if (count === null) return null;
    const code = this.walkValue(value.item, new Map([[layer.itemStep, { expr: "it", object: false }]]), "x");
    if (code === null) return null;
    return { walk: this.walkedList(code), count };
  }

  /** Statements setting `target` to the completed value of a position below a walked layer, or null. */
  private walkValue(value: OutputValue, env: Env, target: string): string | null {
    if (value.kind === "abstract") return null;
    const whenNull = this.nullValue(value.nonNull, target);
    const read = this.walkRead(value.kind === "object" ? value.valueStep : value.step, env);
    if (read === null) return null;
    switch (value.kind) {
      case "leaf":
      case "leafList":
        return this.leafValue(value, read, target);
      case "list": {
        const walk = this.walkList(value);
        if (walk === null) return null;
        return `t = ${read}; if (t == null) ${whenNull} else if (!Array.isArray(t)) giveUp(); else ${this.callValue(walk.walk, target)}`;
      }
      case "object": {
        const reason = value.layer.reason;
        if (value.step !== value.valueStep || reason.type !== "nullableBoundary" || reason.parentStep !== value.valueStep) return null;
        const env2: Env = new Map([[value.valueStep, { expr: "o", object: true }]]);
        const fn = this.walkedObject(value.selection, (field, fieldTarget) => this.walkValue(field, env2, fieldTarget));
        if (fn === null) return null;
        // A promise here would have been awaited by the executor: the interpretive output completes it. So is
        // an Error item of a list under resolver semantics (a field error there).
        const error = value.layer.parent?.errorValuesAreErrors === true ? " || t instanceof Error" : "";
        return `t = ${read}; if (t == null) ${whenNull} else if (t instanceof FV || typeof t.then === "function"${error}) giveUp(); else ${this.callValue(fn, target)}`;
      }
    }
  }

  /** An expression for `step`'s value in walking code: known, global, or a property read of a known value. */
  private walkRead(step: Step, env: Env): string | null {
    const known = env.get(step);
    if (known !== undefined) return known.expr;
    if (step.isGlobal) {
      // An inlined global read never runs (InlinePropertyReads): read its path from its dependency's value.
      if (step.inlined === null) return `g[${step.id}]`;
      const from = this.walkRead(step.dependencies[0]!, env);
      return from === null ? null : this.readKeys(from, false, step.inlined);
    }
    const key = inlineResolverKey(step);
    if (key !== null) {
      // graphql-js's default resolver read inline (ReadResolverInline): gives up on anything but a property.
      const source = this.walkRead(step.dependencies[0]!, env);
      return source === null ? null : resolverRead(source, key);
    }
    const path = propertyPath(step);
    if (path === null) return null;
    const dependency = step.dependencies[0]!;
    const from = this.walkRead(dependency, env);
    if (from !== null) return this.readKeys(from, env.get(dependency)?.object === true, path);
    // A merged access chain (`$x.get("a").get("b")` as one read of a.b) whose start is out of reach: the
    // rest of its path from a known read of the same value's prefix (`$x.get("a")`, the object walked).
    for (const [other, value] of env) {
      const prefix = propertyPath(other);
      if (prefix === null || other.dependencies[0] !== dependency || prefix.length >= path.length) continue;
      if (prefix.every((key, i) => key === path[i])) return this.readKeys(value.expr, value.object, path.slice(prefix.length));
    }
    return null;
  }

  /** An expression reading `path` from the expression `from` as an inlined read does (null-safe, a flag stays). */
  private readKeys(from: string, isObject: boolean, path: ReadonlyArray<string | number>): string {
    if (path.length > 1) return `${this.pathReader(path)}(${from})`;
    const key = JSON.stringify(path[0]);
    // A null dependency reads as itself, a flagged one as its flag: what the step would have given.
    return isObject ? `${from}[${key}]` : `((t = ${from}) == null || t instanceof FV ? t : t[${key}])`;
  }

  /**
   * spec: CountWalkedEntries — a function `(list) => entries` for a list layer: the entries it and the layers
   * below it would open for one list value (each list's length), or -1 when opening them would await or
   * read anything — a list that is not an array, an item or a step's value that is a promise.
   */
  private countWalkedEntries(layer: Layer): string | null {
    let name = this.counts.get(layer);
    if (name !== undefined) return name;
    name = null;
    if (layer.reason.type === "listItem" && layer.itemStep !== null) {
      const body = this.countBody(layer, new Map([[layer.itemStep, { expr: "it", object: false }]]));
      if (body !== null) {
        name = this.name("C");
        // Items with nothing below them need not be read: the walk itself gives up on a promise there.
        const loop =
          body === ""
            ? ""
            : `  for (let k = 0; k < m; k++) {\n    it = v[k];\n    if (it != null && typeof it.then === "function") return -1;\n    ${body}\n  }\n`;
        this.functions.push(
          `function ${name}(v) {\n  if (!Array.isArray(v)) return v !== null && typeof v === "object" ? -1 : 0;\n  const m = v.length;\n  let n = m, t, c, it;\n${loop}  return n;\n}`,
        );
      }
    }
    this.counts.set(layer, name);
    return name;
  }

  /** Statements counting the entries below one entry of `layer` into `n`, or null when a step or layer there cannot be walked. */
  private countBody(layer: Layer, env: Env): string | null {
    for (const step of layer.steps) if (step !== layer.itemStep && !walkable(step)) return null;
    let code = "";
    for (const step of layer.executableSteps) {
      const read = this.walkRead(step, env);
      if (read === null) return null;
      const v = `s${step.id}`;
      code += `const ${v} = ${read}; if (${v} != null && typeof ${v}.then === "function") return -1; `;
      env.set(step, { expr: v, object: false });
    }
    for (const child of layer.children) {
      const reason = child.reason;
      if (reason.type === "listItem") {
        const count = this.countWalkedEntries(child);
        const read = this.walkRead(reason.listStep, env);
        if (count === null || read === null) return null;
        code += `c = ${count}(${read}); if (c < 0) return -1; n += c; `;
      } else if (reason.type === "nullableBoundary") {
        const parent = env.get(reason.parentStep);
        if (parent === undefined) return null;
        const inner = this.countBody(child, new Map(env).set(reason.parentStep, { expr: parent.expr, object: true }));
        if (inner === null) return null;
        if (inner !== "") code += `if (${parent.expr} != null && !(${parent.expr} instanceof FV)) { ${inner}} `;
      } else {
        return null;
      }
    }
    return code;
  }
}
