// assertNotNull($x, message): a null entry becomes an error with `message` at the field's path; the steps
// that depend on it skip that entry.

import { FLAG_NULL, Step, fail, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

export class AssertNotNullStep<T> extends Step<T> {
  static override readonly stepName = "AssertNotNull";
  static {
    registerStepClass(this);
  }
  constructor(
    $value: Step,
    readonly message: string,
  ) {
    super();
    this.addDependency($value, { acceptFlags: FLAG_NULL });
  }

  execute({ count, values: [items] }: ExecutionDetails<[readonly T[]]>) {
    const out = new Array<unknown>(count);
    let error: Error | null = null;
    for (let i = 0; i < count; i++) {
      const v = items[i];
      out[i] = v == null ? fail((error ??= new Error(this.message))) : v;
    }
    return out as T[];
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof AssertNotNullStep && p.message === this.message);
  }

  override toStringMeta(): string {
    return this.message.slice(0, 30);
  }
}

export function assertNotNull<T = any>($value: Step<T>, message: string): AssertNotNullStep<T> {
  if (typeof message !== "string") throw new TypeError(`graphscale: assertNotNull($value, message): message must be a string, got ${describeArgument(message)}.`);
  return new AssertNotNullStep<T>($value, message);
}
