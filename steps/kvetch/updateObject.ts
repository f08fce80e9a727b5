// updateObject($id, $patch): a write step for mutation plans. Every entry's patch goes into one
// updateObjects call (shallow merge, version + 1, derived edges and index entries moved, cache invalidated),
// so a later read sees the change. A missing object fails the call before anything is written.
// Never hoisted, deduplicated or run per entry.

import { Step, fail, type ExecutionDetails, type FlaggedValue, registerStepClass } from "../../src/index.js";
import { KvetchError, type KvetchData, type KvetchObject } from "../../src/kvetch/index.js";
import { objectAttribute } from "./loadObject.js";
import { kvetchStore, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { dataStep, type DataArgument } from "./dataArgument.js";

export class UpdateObjectStep extends Step<KvetchObject | null> {
  static override readonly stepName = "UpdateObject";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  override hasSideEffects = true;

  constructor($id: Step, $patch: Step, $store: Step) {
    super();
    this.addDependency($id);
    this.addDependency($patch);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [ids, patches, storeValue] }: ExecutionDetails<[readonly unknown[], readonly unknown[], unknown]>): Promise<Array<KvetchObject | null | FlaggedValue>> | Array<KvetchObject | null | FlaggedValue> {
    const out = new Array<KvetchObject | null | FlaggedValue>(count).fill(null);
    const items: { id: string; patch: KvetchData }[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      const patch = patches[i];
      if (id == null || patch == null) continue; // nothing to update: the entry is null
      slot[i] = items.length;
      items.push({ id: id as string, patch: patch as KvetchData });
    }
    if (items.length === 0) return out;
    return requireStore(storeValue, this)
      .updateObjects(items, { partial: true })
      .then((updated) => {
        for (let i = 0; i < count; i++) {
          if (slot[i]! < 0) continue;
          const result = updated[slot[i]!]!;
          out[i] = result instanceof KvetchError ? fail(result) : result;
        }
        return out;
      });
  }

  /** `$created.get("id")` is the id; other keys read the object's data, as on loadObject. */
  override get(key: string | number | ReadonlyArray<string | number>): Step {
    return objectAttribute(this, key);
  }
}

/** Merges each entry's patch (a step, or `{ attr: $step | value }`) into the object `$id`; gives the updated object. */
export function updateObject($id: Step, patch: DataArgument, options?: KvetchStepOptions): UpdateObjectStep {
  return new UpdateObjectStep($id, dataStep(patch), kvetchStore(options));
}
