// Layer: a set of entries that steps execute over together. The root layer has one entry; list items,
// non-null object values, each concrete type of an abstract value, each mutation field and each group of
// deferred fields (@defer, spec/incremental.md) open their own.
// Each kind of layer (its `reason`) carries its own behaviour: which steps its boundary reads, how its
// entries are chosen from the parent's, and how an entry's response path is formed. A layer is a plan-time
// object: its per-request entries live in a Bucket (execution/bucket.ts) and it never holds request data.

import type { Step } from "../step.js";
import type { Path } from "./resolveInfo.js";
import { FlaggedValue } from "../flags.js";

type LayerReasonType = "root" | "listItem" | "nullableBoundary" | "polymorphic" | "mutationField" | "deferred";

/** The parent layer's entries, as a layer kind needs them to choose its own. */
export interface ParentEntries {
  readonly count: number;
  /** The values of `step` for every parent entry. */
  values(step: Step): readonly unknown[];
  /** The list value of `step` at parent entry `entry` as an array (an iterable is read once), or null. */
  listAt(step: Step, entry: number): unknown[] | null;
}

/** The entries a layer opens below its parent's. */
export interface EntrySelection {
  readonly count: number;
  /** Entry i is entry parentIndex[i] of the parent. */
  readonly parentIndex: Int32Array;
  /** List layers: the items of parent entry p are entries childStart[p] .. childStart[p+1]-1. */
  readonly childStart: Int32Array | null;
  /** Other layers: the entry for parent entry p, or -1 when p has none (null, error, other type). */
  readonly entryOfParent: Int32Array | null;
  /** List layers: the items themselves (the item step's values, before the executor settles them). */
  readonly items: unknown[] | null;
  /** List layers: each parent entry's list (null where the value is not a list). */
  readonly lists: ReadonlyArray<unknown[] | null> | null;
}

abstract class LayerReason {
  abstract readonly type: LayerReasonType;
  /** The response key under which this layer's entries appear (null: list items of a nested list). */
  abstract readonly responseKey: string | null;
  /** Steps the boundary reads: tree-shaking keeps them, replacements rewrite them. */
  stepsRead(): Step[] {
    return [];
  }
  replaceSteps(_resolve: (step: Step) => Step): void {}
  /** Mutation fields are started by the scheduler one after another, never beside their siblings. */
  get runsSerially(): boolean {
    return false;
  }
  /** Whether entries start a new response path (the root, a mutation field). */
  get startsPath(): boolean {
    return false;
  }
  /** spec: SelectEntries — this layer's entries, chosen from the parent's. */
  abstract selectEntries(parent: ParentEntries): EntrySelection;
  /** The response path of entry `i`, given its parent's path (`start`: list layers' first entry of that parent). */
  abstract entryPath(above: Path | undefined, i: number, start: number, typename: string | undefined): Path | undefined;
  abstract describe(): string;
}

/** Layers with one entry per parent entry: the root and each mutation field. */
abstract class SingleEntryReason extends LayerReason {
  override get startsPath(): boolean {
    return true;
  }
  selectEntries(): EntrySelection {
    return SINGLE_ENTRY;
  }
  entryPath(): undefined {
    return undefined;
  }
}

const SINGLE_ENTRY: EntrySelection = { count: 1, parentIndex: Int32Array.of(0), childStart: null, entryOfParent: Int32Array.of(0), items: null, lists: null };
const NO_ENTRY: EntrySelection = { count: 0, parentIndex: new Int32Array(0), childStart: null, entryOfParent: Int32Array.of(-1), items: null, lists: null };

/** One entry per request: the root of every plan. */
export class RootReason extends SingleEntryReason {
  readonly type = "root" as const;
  readonly responseKey = null;
  describe(): string {
    return "root";
  }
}

/** One root mutation field; these run one after another. */
export class MutationFieldReason extends SingleEntryReason {
  readonly type = "mutationField" as const;
  constructor(readonly responseKey: string) {
    super();
  }
  override get runsSerially(): boolean {
    return true;
  }
  describe(): string {
    return `mutation field ${this.responseKey}`;
  }
}

/** One entry per item of the lists that `listStep` yields, across all parent entries. */
export class ListItemReason extends LayerReason {
  readonly type = "listItem" as const;
  /**
   * A `@stream` list (spec/incremental.md, PlanStream): the layer opens each list's first `streamedFrom`
   * items only; incremental delivery opens the rest later, in a bucket of their own. Set only on a streamed
   * list's layer (declared, not initialized): other layers' reasons keep the fields plan export writes.
   */
  declare streamedFrom: number | undefined;
  constructor(
    public listStep: Step,
    readonly responseKey: string | null,
  ) {
    super();
  }
  override stepsRead(): Step[] {
    return [this.listStep];
  }
  override replaceSteps(resolve: (step: Step) => Step): void {
    this.listStep = resolve(this.listStep);
  }
  selectEntries(parent: ParentEntries): EntrySelection {
    const parentCount = parent.count;
    const childStart = new Int32Array(parentCount + 1);
    const lists = new Array<unknown[] | null>(parentCount);
    const cap = this.streamedFrom ?? Infinity;
    let total = 0;
    for (let p = 0; p < parentCount; p++) {
      childStart[p] = total;
      const list = parent.listAt(this.listStep, p);
      lists[p] = list;
      if (list !== null) total += Math.min(list.length, cap);
    }
    childStart[parentCount] = total;
    const parentIndex = new Int32Array(total);
    const items = new Array<unknown>(total);
    let at = 0;
    for (let p = 0; p < parentCount; p++) {
      const list = lists[p];
      if (list === null) continue;
      const n = Math.min(list.length, cap);
      for (let k = 0; k < n; k++) {
        items[at] = list[k];
        parentIndex[at++] = p;
      }
    }
    return { count: total, parentIndex, childStart, entryOfParent: null, items, lists };
  }
  entryPath(above: Path | undefined, i: number, start: number, typename: string | undefined): Path {
    const listPath: Path | undefined = this.responseKey === null ? above : { prev: above, key: this.responseKey, typename };
    return { prev: listPath, key: i - start, typename: undefined };
  }
  describe(): string {
    return `list items of ${this.listStep}`;
  }
}

/** Layers holding some of the parent's entries, chosen by the parent step's values (and a type step's). */
abstract class BoundaryReason extends LayerReason {
  abstract parentStep: Step;
  abstract override readonly responseKey: string;
  /** The type names of the parent entries, for a layer that holds one concrete type. */
  protected typesOf(_parent: ParentEntries): readonly unknown[] | null {
    return null;
  }
  /** Whether parent entry `p` belongs here: its value is non-null and unflagged (and of this layer's type). */
  protected admits(values: readonly unknown[], _types: readonly unknown[] | null, p: number): boolean {
    const v = values[p];
    return v != null && !(v instanceof FlaggedValue);
  }
  selectEntries(parent: ParentEntries): EntrySelection {
    if (parent.count === 1) {
      // One parent entry (a root field, a single object): shared selections, no allocation.
      return this.admits(parent.values(this.parentStep), this.typesOf(parent), 0) ? SINGLE_ENTRY : NO_ENTRY;
    }
    const values = parent.values(this.parentStep);
    const types = this.typesOf(parent);
    const parentCount = parent.count;
    const entryOfParent = new Int32Array(parentCount);
    let count = 0;
    for (let p = 0; p < parentCount; p++) entryOfParent[p] = this.admits(values, types, p) ? count++ : -1;
    // Sized once the entries are counted: a typed array's subarray view costs more than the second pass.
    const parentIndex = new Int32Array(count);
    if (count === parentCount) for (let p = 0; p < parentCount; p++) parentIndex[p] = p;
    else for (let p = 0; p < parentCount; p++) if (entryOfParent[p]! >= 0) parentIndex[entryOfParent[p]!] = p;
    return { count, parentIndex, childStart: null, entryOfParent, items: null, lists: null };
  }
  entryPath(above: Path | undefined, _i: number, _start: number, typename: string | undefined): Path | undefined {
    return this.responseKey === "" ? above : { prev: above, key: this.responseKey, typename };
  }
}

/** The parent entries where `parentStep` is non-null and carries no flag. */
export class NullableBoundaryReason extends BoundaryReason {
  readonly type = "nullableBoundary" as const;
  constructor(
    public parentStep: Step,
    readonly responseKey: string,
  ) {
    super();
  }
  override stepsRead(): Step[] {
    return [this.parentStep];
  }
  override replaceSteps(resolve: (step: Step) => Step): void {
    this.parentStep = resolve(this.parentStep);
  }
  describe(): string {
    return `${this.responseKey}: non-null ${this.parentStep}`;
  }
}

/** The parent entries whose `typeStep` names `typeName`. */
export class PolymorphicReason extends BoundaryReason {
  readonly type = "polymorphic" as const;
  constructor(
    public parentStep: Step,
    public typeStep: Step,
    readonly typeName: string,
    readonly responseKey: string,
  ) {
    super();
  }
  override stepsRead(): Step[] {
    return [this.parentStep, this.typeStep];
  }
  override replaceSteps(resolve: (step: Step) => Step): void {
    this.parentStep = resolve(this.parentStep);
    this.typeStep = resolve(this.typeStep);
  }
  protected override typesOf(parent: ParentEntries): readonly unknown[] {
    return parent.values(this.typeStep);
  }
  protected override admits(values: readonly unknown[], types: readonly unknown[] | null, p: number): boolean {
    return super.admits(values, types, p) && types![p] === this.typeName;
  }
  describe(): string {
    return `${this.responseKey}: ${this.typeName}`;
  }
}

/**
 * The fields of a selection that graphql-js delivers later (a group of `@defer` fragments,
 * spec/incremental.md): the parent's entries, opened only by incremental delivery after the initial
 * payload (never beside its siblings), for all entries at once.
 */
export class DeferredReason extends LayerReason {
  readonly type = "deferred" as const;
  readonly responseKey = null;
  override get runsSerially(): boolean {
    return true;
  }
  selectEntries(parent: ParentEntries): EntrySelection {
    const count = parent.count;
    const parentIndex = new Int32Array(count);
    for (let p = 0; p < count; p++) parentIndex[p] = p;
    return { count, parentIndex, childStart: null, entryOfParent: parentIndex, items: null, lists: null };
  }
  entryPath(above: Path | undefined): Path | undefined {
    return above;
  }
  describe(): string {
    return "deferred fields";
  }
}

/**
 * A list layer whose entries the compiled output can walk in the data itself (spec/output.md, "Walked lists"):
 * below it, only the items and property reads. Set by the compiled output when it compiles the plan.
 */
export interface ListWalk {
  /**
   * The entries the layer and the layers below it would open for one parent entry's list value, or -1
   * when that value (or one below it) is anything but plain arrays and objects: a promise, an iterable.
   */
  readonly countEntries: (list: unknown) => number;
}

/** Every kind of layer; `reason.type` tells them apart. */
export type AnyLayerReason = RootReason | MutationFieldReason | ListItemReason | NullableBoundaryReason | PolymorphicReason | DeferredReason;

/**
 * The prototype of the layer reason an imported plan names by `type` (its DecodePlan), or undefined. A
 * switch, not a lookup in an object: a name Object.prototype holds (`constructor`) names no reason. A
 * deferred layer's reason is never exported.
 */
export function reasonPrototypeOf(type: unknown): object | undefined {
  switch (type) {
    case "listItem":
      return ListItemReason.prototype;
    case "nullableBoundary":
      return NullableBoundaryReason.prototype;
    case "root":
      return RootReason.prototype;
    case "polymorphic":
      return PolymorphicReason.prototype;
    case "mutationField":
      return MutationFieldReason.prototype;
    default:
      return undefined;
  }
}

export class Layer {
  readonly children: Layer[] = [];
  /** Steps executing in this layer, in dependency order once planning is done. */
  steps: Step[] = [];
  /** The steps the executor runs (no engine-set values, none read inline): set when planning finishes. */
  executableSteps: Step[] = [];
  /** For list layers: the step whose values are the list items (set by the engine). */
  itemStep: Step | null = null;
  /** The parent object type's name for the response path of this layer's entries (graphql-js `path.typename`). */
  pathTypename: string | undefined = undefined;
  /** List layers of resolver fields: an Error item is a field error at that item, as in graphql-js. */
  errorValuesAreErrors = false;
  /** List layers the compiled output walks in the data (spec/output.md, "Walked lists"): set once the plan's output is compiled. */
  walk: ListWalk | null = null;
  /** An object position's layer the compiled output reads without a bucket (IsGlobalObject): set once the plan's output is compiled. */
  globalObject = false;
  readonly depth: number;

  constructor(
    readonly id: number,
    readonly reason: AnyLayerReason,
    readonly parent: Layer | null,
  ) {
    this.depth = parent ? parent.depth + 1 : 0;
    if (parent) parent.children.push(this);
  }

  /** Whether `other` is this layer or one of its ancestors. */
  hasAncestorOrSelf(other: Layer): boolean {
    for (let l: Layer | null = this; l !== null; l = l.parent) if (l === other) return true;
    return false;
  }

  /** The mutation field layer this layer belongs to, if any (globals hoist no further than it). */
  hoistTarget(): Layer {
    let target: Layer = this;
    for (let l: Layer | null = this; l !== null; l = l.parent) {
      target = l;
      if (l.reason.runsSerially) return l;
    }
    return target;
  }

  toString(): string {
    return `Layer ${this.id} (${this.reason.describe()})`;
  }
}
