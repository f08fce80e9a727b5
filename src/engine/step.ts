// Step<T>: the unit of a plan. A step is created while planning (inside a plan resolver), declares its
// dependencies, and at run time is executed once per layer with the whole batch (a tuple of lists).
// A step never sees one entry at a time from the engine: no per-entry calls, no per-entry promises.

import type { Layer, OperationPlan } from "./layer.js";

/** Flags an entry's value may carry; a dependency states which of them it accepts. */
export const FLAG_NULL = 1;
export const FLAG_ERROR = 2;
export const FLAG_INHIBITED = 4;
export const FLAGS_NONE = 0;
export const FLAGS_ALL = FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED;

/**
 * A flagged entry: an error (from `fail(error)` or a thrown execute) or "inhibited" (early exit).
 * Plain values, including Error objects, are data; only a FlaggedValue is a flag.
 */
export class FlaggedValue {
  constructor(
    readonly flag: typeof FLAG_ERROR | typeof FLAG_INHIBITED,
    readonly error: unknown,
  ) {}
}

/** The value for an inhibited entry: it becomes `null` in the response unless trapped. */
export const INHIBITED = new FlaggedValue(FLAG_INHIBITED, undefined);

/** An inhibited entry whose list field answers `[]` rather than `null` (exitIf/trap with "emptyList"). */
export const INHIBITED_AS_EMPTY_LIST = new FlaggedValue(FLAG_INHIBITED, undefined);

/** Marks one entry of a step's result as failed; the error lands at that entry's field path. */
export function fail(error: unknown): FlaggedValue {
  return new FlaggedValue(FLAG_ERROR, error);
}

export function isFlagged(value: unknown): value is FlaggedValue {
  return value instanceof FlaggedValue;
}

/** The flag an entry's value carries (FLAGS_NONE for ordinary data). */
export function flagOf(value: unknown): number {
  if (value == null) return FLAG_NULL;
  if (value instanceof FlaggedValue) return value.flag;
  return FLAGS_NONE;
}

/** What the engine hands to `execute`: the batch size and one element per dependency. */
export interface ExecutionDetails<TValues extends readonly unknown[] = any[]> {
  /** Entries in this call (after early exit compacted the batch). */
  count: number;
  /** Per dependency: a list of exactly `count` values, or the bare value for a global dependency. */
  values: TValues;
  /** The request this execution belongs to (variables, context, root value). */
  request: RequestInfo;
}

/** Request-wide facts a step may read without declaring a dependency. */
export interface RequestInfo {
  readonly contextValue: unknown;
  readonly rootValue: unknown;
  readonly variableValues: { readonly [name: string]: unknown };
}

/** `execute` may return a list, a promise of a list, or a list whose items are promises. */
export type ExecutionResults<T> =
  | ReadonlyArray<T | PromiseLike<T> | FlaggedValue>
  | PromiseLike<ReadonlyArray<T | PromiseLike<T> | FlaggedValue>>;

export interface DependencyOptions {
  /** Flags this dependency accepts (default FLAG_NULL): entries carrying any other flag skip `execute`. */
  acceptFlags?: number;
}

// The layer plan resolvers are currently creating steps in; set by the planner only.
let currentLayer: Layer | null = null;

/** Runs `fn` with new steps created in `layer`; the planner's only way to place steps. */
export function withLayer<R>(layer: Layer, fn: () => R): R {
  const previous = currentLayer;
  currentLayer = layer;
  try {
    return fn();
  } finally {
    currentLayer = previous;
  }
}

let makeAccess: ((step: Step, path: ReadonlyArray<string | number>) => Step) | null = null;

/** Lets the access step register itself as the implementation of `$step.get(key)`. */
export function registerAccess(fn: (step: Step, path: ReadonlyArray<string | number>) => Step): void {
  makeAccess = fn;
}

export abstract class Step<T = unknown> {
  /** Unique within the operation plan; dependencies always point to steps created earlier or hoisted. */
  id: number;
  /** The layer this step executes in. */
  layer: Layer;
  readonly operationPlan: OperationPlan;
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

  constructor() {
    const layer = currentLayer;
    if (layer === null) {
      throw new Error(
        `graphscale: ${this.constructor.name} was created outside planning; steps can only be created inside a plan resolver (or a step's optimize()).`,
      );
    }
    this.layer = layer;
    this.operationPlan = layer.operationPlan;
    this.id = this.operationPlan.addStep(this);
  }

  /** Adds a batch dependency: `values[index]` is a list of `count` values. Returns the index. */
  protected addDependency($step: Step, options?: DependencyOptions): number {
    return this.addDependencyInternal($step, false, options?.acceptFlags ?? FLAG_NULL);
  }

  /** Adds a global dependency: `values[index]` is the single value itself. The step must be global. */
  protected addGlobalDependency($step: Step, options?: DependencyOptions): number {
    if (!this.operationPlan.canBeGlobal($step)) {
      throw new Error(
        `graphscale: ${this} cannot take ${$step} as a global dependency: it depends on per-entry values. Use addDependency instead.`,
      );
    }
    return this.addDependencyInternal($step, true, options?.acceptFlags ?? FLAG_NULL);
  }

  private addDependencyInternal($step: Step, global: boolean, acceptFlags: number): number {
    if (!($step instanceof Step)) {
      throw new Error(`graphscale: ${this} was given a dependency that is not a step (${String($step)}).`);
    }
    if ($step.operationPlan !== this.operationPlan) {
      throw new Error(`graphscale: ${this} depends on ${$step}, which belongs to another operation's plan.`);
    }
    this.operationPlan.assertReachable(this, $step);
    this.dependencies.push($step);
    this.dependencyIsGlobal.push(global);
    this.dependencyAcceptFlags.push(acceptFlags);
    return this.dependencies.length - 1;
  }

  /** The dependency at `index` (for optimize and deduplicate). */
  getDependency(index: number): Step {
    return this.dependencies[index]!;
  }

  /** Runs once per layer with the whole batch. */
  abstract execute(details: ExecutionDetails): ExecutionResults<T>;

  /**
   * Given peers (same class, same dependencies, same layer), returns those equivalent to this step;
   * the planner keeps one. The default keeps every step distinct.
   */
  deduplicate(_peers: readonly Step[]): readonly Step[] {
    return [];
  }

  /** Called from the leaves back to the root; returns a replacement (or `this`). */
  optimize(): Step {
    return this;
  }

  /** Called once the plan is final, before the first execution. */
  finalize(): void {}

  /** A short description of the step's options for toString and explain. */
  toStringMeta(): string | null {
    return null;
  }

  /** A step for `value[key]` (or a path of keys) of each entry. */
  get(key: string | number | ReadonlyArray<string | number>): Step {
    if (makeAccess === null) throw new Error("graphscale: the access step is not loaded.");
    return makeAccess(this, typeof key === "object" ? key : [key]);
  }

  toString(): string {
    const meta = this.toStringMeta();
    const name = this.constructor.name.replace(/Step$/, "");
    return `${name}[${this.id}${meta ? `<${meta}>` : ""}]`;
  }
}

/** A step whose values are set by the engine when its layer is created (list items). */
export abstract class EngineValueStep<T = unknown> extends Step<T> {
  override execute(): never {
    throw new Error(`graphscale: ${this} has its values set by the engine and is never executed.`);
  }
}
