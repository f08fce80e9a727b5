// Dependency recording for the Kvetch read steps: the version of every key a layer reads is requested right
// before the layer's data call (so a write racing the read is never missed: spec/reactivity.md,
// RecordReadDependencies) and recorded per entry when it arrives. Nothing at all happens unless the request
// records deps. One version call per layer; never per entry.

import type { StepDependencies } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";

/**
 * spec: RecordReadDependencies — `keys[n]` is a dependency of entry `entries[n]`. Starts one version read for
 * the distinct keys now; the promise records them (a failed version read records null: "may have changed").
 */
export function recordReadDependencies(
  deps: StepDependencies | null | undefined,
  store: Kvetch,
  entries: readonly number[],
  keys: readonly string[],
): Promise<void> | null {
  if (deps === null || deps === undefined || keys.length === 0) return null;
  const slot = new Map<string, number>();
  const distinct: string[] = [];
  for (let n = 0; n < keys.length; n++) {
    if (!slot.has(keys[n]!)) {
      slot.set(keys[n]!, distinct.length);
      distinct.push(keys[n]!);
    }
  }
  const record = (versions: readonly (number | null)[] | null): void => {
    for (let n = 0; n < keys.length; n++) deps.record(entries[n]!, keys[n]!, versions === null ? null : versions[slot.get(keys[n]!)!]!);
  };
  return store.dependencyVersions(distinct).then(record, () => record(null));
}

/** The data read and the version read together: the data's value once both are in. */
export function withDependencies<T>(data: Promise<T>, recorded: Promise<void> | null): Promise<T> {
  return recorded === null ? data : Promise.all([data, recorded]).then(([value]) => value);
}
