// access($step, path): reads a property (or a path of properties) of each entry. Null-safe: a missing
// link in the path gives undefined. One plain loop per batch, no per-entry closure.

import { Step, registerAccess, type ExecutionDetails } from "../src/engine/step.js";

export class AccessStep<T = unknown> extends Step<T> {
  readonly path: ReadonlyArray<string | number>;

  constructor($parent: Step, path: ReadonlyArray<string | number>) {
    super();
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

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    const path = this.path;
    return peers.filter(
      (p) => p instanceof AccessStep && p.path.length === path.length && p.path.every((k, i) => k === path[i]),
    );
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

export function access<T = unknown>($step: Step, path: string | number | ReadonlyArray<string | number>): AccessStep<T> {
  return new AccessStep<T>($step, typeof path === "object" ? path : [path]);
}

registerAccess(($step, path) => new AccessStep($step, path));
