// recordDependency($key): makes each entry's key (a string of the developer's choosing, or one of Kvetch's
// own forms) a dependency of that entry's subtree, with its current version — one version call per layer,
// only when the request records deps. Its value is the key itself. Place it beside the read it guards.

import { Step, type ExecutionDetails } from "../../src/index.js";
import { kvetchStore, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { recordReadDependencies } from "./dependencies.js";

export class RecordDependencyStep extends Step<unknown> {
  static override readonly stepName = "RecordDependency";
  override isAsync = true;
  // Its value is rarely read: kept by tree-shaking for the dependency it records, never deduplicated away.
  override hasSideEffects = true;

  constructor($key: Step, $store: Step) {
    super();
    this.addDependency($key);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [keys, storeValue], deps }: ExecutionDetails<[readonly unknown[], unknown]>): Promise<unknown[]> | unknown[] {
    const out = keys.slice(0, count);
    if (!deps) return out;
    const entries: number[] = [];
    const strings: string[] = [];
    for (let i = 0; i < count; i++) {
      if (typeof keys[i] !== "string") continue;
      entries.push(i);
      strings.push(keys[i] as string);
    }
    const recorded = recordReadDependencies(deps, requireStore(storeValue, this), entries, strings);
    return recorded === null ? out : recorded.then(() => out);
  }
}

/** Records `$key` (per entry) as a dependency of the entry's subtree; its value is the key. */
export function recordDependency($key: Step, options?: KvetchStepOptions): RecordDependencyStep {
  return new RecordDependencyStep($key, kvetchStore(options));
}
