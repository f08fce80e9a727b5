// object({ key: $step, ... }): an object per entry built from several steps.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

export class ObjectStep<T extends Record<string, unknown> = Record<string, unknown>> extends Step<T> {
  static override readonly stepName = "Object";
  static {
    registerStepClass(this);
  }
  readonly keys: readonly string[];

  constructor(spec: { readonly [key: string]: Step }) {
    super();
    this.keys = Object.keys(spec);
    for (const key of this.keys) this.addDependency(spec[key]!);
  }

  execute({ count, values }: ExecutionDetails<ReadonlyArray<readonly unknown[]>>): readonly T[] {
    const keys = this.keys;
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      const obj: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) obj[keys[k]!] = values[k]![i];
      out[i] = obj as T;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    const keys = this.keys;
    return peers.filter((p) => p instanceof ObjectStep && p.keys.length === keys.length && p.keys.every((k, i) => k === keys[i]));
  }

  override toStringMeta(): string {
    return this.keys.join(",");
  }
}

export function object<T extends Record<string, unknown> = Record<string, unknown>>(spec: { readonly [key: string]: Step }): ObjectStep<T> {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec) || spec instanceof Step) {
    throw new TypeError(`graphscale: object(spec): spec must be an object of steps ({ key: $step }), got ${describeArgument(spec)}.`);
  }
  return new ObjectStep<T>(spec);
}
