// Step API (top level): Step, flags, deps, limits and what else a step author imports (spec/execution.md).
// Step<T>: the unit of a plan. A plan resolver creates steps and wires their dependencies; the planner
// adopts every step reachable from what the resolver returned into the layer it is planning (there is no
// module-level "current layer"). At run time a step is executed once per layer with the whole batch (a
// tuple of lists): never one entry at a time, never a promise per entry from the engine.

import type { MappedResults } from "./mappedResults.js";
import type { StepDependencies } from "./deps.js";
import type { GraphQLSchema } from "graphql";
import { FLAG_NULL, type FlaggedValue } from "./flags.js";
import type { Limits } from "./limits.js";
import { inspect } from "./inspect.js";

/** What the engine hands to `execute`: the batch size and one element per dependency. */
export interface ExecutionDetails<TValues extends readonly unknown[] = any[]> {
  /** Entries in this call (after early exit compacted the batch). */
  count: number;
  /** Per dependency: a list of exactly `count` values, or the bare value for a global dependency. */
  values: TValues;
  /** The request this execution belongs to (variables, context, root value, limits). */
  request: RequestInfo;
  /** Aborted when the request is (its AbortSignal, its timeout): a step may stop its own work. */
  signal: AbortSignal | undefined;
  /**
   * Null unless the request records its dependencies (spec/reactivity.md): then `record(entry, key,
   * version)` makes `key` a dependency of that entry's subtree. Read it once per call.
   */
  readonly deps?: StepDependencies | null;
}

/** Request-wide facts a step may read without declaring a dependency. */
export interface RequestInfo {
  readonly contextValue: unknown;
  readonly rootValue: unknown;
  readonly variableValues: { readonly [name: string]: unknown };
  /** The limits this request runs under (e.g. `maxPageSize` for list steps). */
  readonly limits: Limits;
}

/**
 * `execute` may return a list, a promise of a list, a list whose items are promises, or a promise and the
 * function that makes the list of its value (`mapResults`).
 */
export type ExecutionResults<T> =
  | ReadonlyArray<T | PromiseLike<T> | FlaggedValue>
  | PromiseLike<ReadonlyArray<T | PromiseLike<T> | FlaggedValue>>
  | MappedResults<any, T | PromiseLike<T> | FlaggedValue>;

export interface DependencyOptions {
  /** Flags this dependency accepts (default FLAG_NULL): entries carrying any other flag skip `execute`. */
  acceptFlags?: number;
}

/**
 * What `optimize(plan)` is given: the facts a step needs to rewrite itself, and the one way to rewrite
 * a peer (`replaceStep`). A step never scans the whole plan and never writes another step's fields.
 */
export interface OptimizeContext {
  /** The live steps that depend on `$step`. */
  consumersOf($step: Step): readonly Step[];
  /** Whether the output plan or a layer boundary reads `$step` itself (besides its step consumers). */
  isReadByOutput($step: Step): boolean;
  /**
   * Whether the output plan or the subscription source reads `$step`'s values as they are: a leaf, a list of
   * leaves, an object or abstract value. A list position (its items have positions of their own) and layer
   * boundaries are not counted.
   */
  isOutputValue($step: Step): boolean;
  /** Replaces `$old` everywhere (dependents, layers, output) by `$new`; `$new` joins `$old`'s layer. */
  replaceStep($old: Step, $new: Step): void;
  /** When `$step` is the item of a list layer: the step whose lists hold the items; null otherwise. */
  listOfItem($step: Step): Step | null;
  /** The item steps of every list layer over `$list` (the reverse of listOfItem). */
  itemsOf($list: Step): readonly Step[];
  /** Whether branches may still be planned into this plan once it is in use (partial planning left some unplanned). */
  branchesMayFollow(): boolean;
  /** Whether `$a` runs over the entries of `$b`: the same layer, or the object layer opened by `$b`'s values. */
  sameEntries($a: Step, $b: Step): boolean;
  /**
   * Runs `callback` once every step of this pass has optimized (the replacements recorded, with this context
   * still answering): for a choice that depends on everything that reads a step in the optimized plan,
   * including readers optimized after the step that asks. Callbacks run in the order they were given.
   */
  afterOptimize(callback: () => void): void;
  /** The step that stands for `$step` now: the last replacement recorded for it, or `$step` itself. */
  current($step: Step): Step;
  /**
   * Puts the new step `$step` (and its new dependencies) in `$anchor`'s layer, where it stays when it is then
   * returned as a replacement or given to `replaceStep` (AdoptBeside). Its readers must run in that layer or below.
   */
  adoptBeside($step: Step, $anchor: Step): Step;
}

/**
 * What `validatePlan` is given: the schema being planned and its plan context — facts the schema's author
 * attached for steps to check their own options against (`makeSchema({ planContext })`, stored in the
 * schema's `extensions.graphscale.planContext`). The engine never reads the plan context itself.
 */
export interface PlanValidationContext {
  readonly schema: GraphQLSchema;
  readonly planContext: { readonly [key: string]: unknown };
}

/** Whether a step's value type is unknown or any: its keys are then any key. */
type Untyped<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;
/** The keys `$step.get(key)` accepts: the value type's keys, or any key (or path) when the type is not known. */
export type StepKey<T> = Untyped<T> extends true ? string | number | ReadonlyArray<string | number> : keyof NonNullable<T> & string;
/** The value type `$step.get(key)` gives. */
export type StepValue<T, K> = Untyped<T> extends true ? any : K extends keyof NonNullable<T> ? NonNullable<T>[K] : any;

/**
 * A step class's name in explain and messages ("Load", "Access"): its own static `stepName`, which
 * survives any bundler, else the class name without "Step" (and without a bundler's `_` or digits).
 */
export function stepNameOf(step: Step): string {
  const ctor = step.constructor as { stepName?: unknown; name: string };
  if (Object.hasOwn(ctor, "stepName") && typeof ctor.stepName === "string") return ctor.stepName;
  return ctor.name.replace(/^_+/, "").replace(/Step\d*$/, "");
}

/** The optimization label of a step the output reads inline (explain shows it; plan export derives it). */
export const READ_INLINE = "read inline by the output";

export abstract class Step<T = any> {
  /** The name explain shows for steps of this class (see stepNameOf); every standard step sets its own. */
  static readonly stepName: string | undefined = undefined;
  /**
   * True for a step class whose `execute` reads the request's context, root value or variables through
   * `details.request` (the engine's context, root value, argument and resolver steps): a window never runs
   * such a step for several requests at once (spec/cross-request-batching.md, MayAdopt).
   */
  static readonly readsRequest: boolean = false;
  /** Unique within the operation plan; -1 until the planner adopts the step. Dependencies have lower ids. */
  id = -1;
  /** The layer this step executes in (its id in the plan); -1 until adopted. */
  layerId = -1;
  /** The plan that adopted this step (internal: a step belongs to one plan). */
  ownerPlan: object | null = null;
  /** Steps this one depends on, in the order of `values`. */
  readonly dependencies: Step[] = [];
  /** Whether each dependency is handed over as a bare value (global) rather than a list. */
  readonly dependencyIsGlobal: boolean[] = [];
  /** Flags each dependency accepts. */
  readonly dependencyAcceptFlags: number[] = [];
  /** A step with side effects is never deduplicated, never hoisted, never made global. */
  hasSideEffects = false;
  /** Set by the planner: executes once per request with count 1 and reaches dependents as a scalar. */
  isGlobal = false;
  /** Whether execute may return promises; explain draws async steps differently. */
  isAsync = false;
  /** Names of the optimizations applied to this step, for explain. */
  readonly optimizations: string[] = [];
  /** Memo of canBeGlobal(); the planner clears it when it rewrites dependencies. */
  globalCapable: boolean | undefined = undefined;
  /**
   * Set by the planner (with READ_INLINE among its optimizations) when only the output reads this step and
   * the step is a plain property read (`inlineRead`): it is not executed; the output reads `path` of its
   * dependency's value instead.
   */
  inlined: ReadonlyArray<string | number> | null = null;

  /** Adds a batch dependency: `values[index]` is a list of `count` values. Returns the index. */
  protected addDependency($step: Step, options?: DependencyOptions): number {
    return this.addDependencyInternal($step, false, options?.acceptFlags ?? FLAG_NULL);
  }

  /** Adds a global dependency: `values[index]` is the single value itself. The step must be global. */
  protected addGlobalDependency($step: Step, options?: DependencyOptions): number {
    this.assertIsStep($step);
    if (!$step.canBeGlobal()) {
      throw new Error(
        `graphscale: ${this} cannot take ${$step} as a global dependency: it depends on per-entry values. Use addDependency instead.`,
      );
    }
    return this.addDependencyInternal($step, true, options?.acceptFlags ?? FLAG_NULL);
  }

  private assertIsStep($step: unknown): asserts $step is Step {
    if (!($step instanceof Step)) {
      throw new Error(`graphscale: ${this} was given a dependency that is not a step (${String($step)}).`);
    }
  }

  private addDependencyInternal($step: Step, global: boolean, acceptFlags: number): number {
    this.assertIsStep($step);
    this.dependencies.push($step);
    this.dependencyIsGlobal.push(global);
    this.dependencyAcceptFlags.push(acceptFlags);
    this.globalCapable = undefined;
    return this.dependencies.length - 1;
  }

  /** The dependency at `index` (for optimize and deduplicate). */
  getDependency(index: number): Step {
    return this.dependencies[index]!;
  }

  /**
   * Whether this step depends only on global values and has no side effects, so it can run once per
   * request: constants, variables, context, the root value, and pure functions of those.
   */
  canBeGlobal(): boolean {
    let known = this.globalCapable;
    if (known === undefined) {
      known = !(this instanceof EngineValueStep) && !this.hasSideEffects;
      const deps = this.dependencies;
      for (let i = 0; known && i < deps.length; i++) known = deps[i]!.canBeGlobal();
      this.globalCapable = known;
    }
    return known;
  }

  /** Runs once per layer with the whole batch. */
  abstract execute(details: ExecutionDetails): ExecutionResults<T>;

  /**
   * spec: ExecuteOne — optional: what `execute` gives for a batch of one entry, as that entry's value, with
   * each dependency's value as it is (in dependency order) and no details object. A promise returned is the
   * entry's promise; an answer of the whole step that comes later is a `mapResults` (its map makes the list
   * of one entry, as `execute`'s does). Used only where a step runs alone for a request (a global step of a
   * FastRun), and only when the class that defines `execute` defines it too.
   */
  executeOne?(...values: unknown[]): unknown;

  /**
   * spec: OneEntry — optional, beside `executeOne` (defined by the same class): `executeOne` may then answer
   * with its source's native promise as it is, and this makes the entry's value of what it resolves to (a
   * loadOne's callback's list for its one key): no `mapResults` and no list are made for the entry.
   */
  oneEntry?(value: unknown): unknown;

  /**
   * Given peers (same class, same dependencies, same layer), returns those equivalent to this step;
   * the planner keeps one. The default keeps every step distinct.
   */
  deduplicate(_peers: readonly Step[]): readonly Step[] {
    return [];
  }

  /**
   * A value that equivalent peers share (a constant's value, an access path, a callback), so deduplication
   * only compares steps with equal keys: planning stays linear however many steps a plan has. Optional.
   */
  deduplicationKey(): unknown {
    return undefined;
  }

  /**
   * The property path this step reads from its first dependency, when reading it is all it does (null
   * parent → undefined, a flagged parent → the flag): the output may then read it inline. Default: none.
   */
  inlineRead(): ReadonlyArray<string | number> | null {
    return null;
  }

  /** Called from the leaves back to the root; returns a replacement (or `this`). */
  optimize(_plan: OptimizeContext): Step {
    return this;
  }

  /**
   * spec: ValidatePlan — called once, right after the planner adopts the step from the plan resolver (or callback) that created
   * it: throw to reject the step's options (an unknown name, say). The field becomes a planning error with
   * that message, and no step that plan resolver created runs.
   */
  validatePlan(_context: PlanValidationContext): void {}

  /** Called once the plan is final, before the first execution. */
  finalize(): void {}

  /** A short description of the step's options for toString and explain. */
  toStringMeta(): string | null {
    return null;
  }

  /** A step for `value[key]` (or a path of keys) of each entry; a step may say what `get` means for it. */
  get<K extends StepKey<T>>(key: K): Step<StepValue<T, K>>;
  get(key: string | number | ReadonlyArray<string | number>): Step {
    return new AccessStep(this, typeof key === "object" ? key : [key as string | number]);
  }

  toString(): string {
    const meta = this.toStringMeta();
    const name = stepNameOf(this);
    return `${name}[${this.id < 0 ? "?" : this.id}${meta ? `<${meta}>` : ""}]`;
  }
}

/** A step whose values are set by the engine when its layer is created (list items). */
export abstract class EngineValueStep<T = unknown> extends Step<T> {
  override execute(): never {
    throw new Error(`graphscale: ${this} has its values set by the engine and is never executed.`);
  }
}

/**
 * access($step, path): reads a property (or a path of properties) of each entry — what `$step.get(key)`
 * builds unless a step says otherwise. Null-safe: a missing link gives undefined. One plain loop per
 * batch, no per-entry closure. It lives beside Step because `get` is a method of every step.
 */
export class AccessStep<T = unknown> extends Step<T> {
  static override readonly stepName = "Access";
  readonly path: ReadonlyArray<string | number>;

  constructor($parent: Step, path: ReadonlyArray<string | number>) {
    super();
    if (!Array.isArray(path) || path.some((key) => typeof key !== "string" && typeof key !== "number")) {
      // Thrown in the plan resolver that asked: that field's planning error, not a failure of every pass after.
      throw new TypeError(`access: the path must be a property name, an index, or a list of them; got ${inspect(path)}`);
    }
    this.path = path;
    this.addDependency($parent);
  }

  execute({ count, values: [parents] }: ExecutionDetails<[readonly unknown[]]>): readonly T[] {
    const path = this.path;
    const out = new Array<T>(count);
    if (path.length === 1) {
      const key = path[0]!;
      for (let i = 0; i < count; i++) {
        const p = parents[i] as Record<string | number, unknown> | null | undefined;
        out[i] = (p == null ? undefined : p[key]) as T;
      }
      return out;
    }
    for (let i = 0; i < count; i++) {
      let v: unknown = parents[i];
      for (let k = 0; k < path.length && v != null; k++) v = (v as Record<string | number, unknown>)[path[k]!];
      out[i] = v as T;
    }
    return out;
  }

  /** One entry (ExecuteOne): what execute reads for it. */
  override executeOne(parent: unknown): unknown {
    const path = this.path;
    if (path.length === 1) return parent == null ? undefined : (parent as Record<string | number, unknown>)[path[0]!];
    let v = parent;
    for (let k = 0; k < path.length && v != null; k++) v = (v as Record<string | number, unknown>)[path[k]!];
    return v;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    const path = this.path;
    return peers.filter((p) => p instanceof AccessStep && p.path.length === path.length && p.path.every((k, i) => k === path[i]));
  }

  override deduplicationKey(): string {
    return this.path.join("\u0000");
  }

  override inlineRead(): ReadonlyArray<string | number> {
    return this.path;
  }

  /** access(access($x, a), b) becomes access($x, [a, b]): one pass instead of two. */
  override optimize(): Step {
    const $parent = this.getDependency(0);
    if ($parent instanceof AccessStep && !$parent.hasSideEffects) {
      const merged = new AccessStep($parent.getDependency(0), [...$parent.path, ...this.path]);
      merged.optimizations.push("merged access chain");
      return merged;
    }
    return this;
  }

  override toStringMeta(): string {
    return this.path.join(".");
  }
}
