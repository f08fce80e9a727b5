// deleteObject($id): a write step for mutation plans. Every entry's id goes into one deleteObjects call
// (the objects, then the derived edges and index entries they implied, then cache invalidation). Each entry
// gets true when its object existed. Never hoisted, deduplicated or run per entry.

import { Step, type ExecutionDetails, type FlaggedValue } from "../../src/index.js";
import { kvetchStore, requireStore, type KvetchStepOptions } from "./kvetchStore.js";

export class DeleteObjectStep extends Step<boolean | null> {
  static override readonly stepName = "DeleteObject";
  override isAsync = true;
  override hasSideEffects = true;

  constructor($id: Step, $store: Step) {
    super();
    this.addDependency($id);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [ids, storeValue] }: ExecutionDetails<[readonly unknown[], unknown]>): Promise<Array<boolean | null | FlaggedValue>> | Array<boolean | null> {
    const out = new Array<boolean | null>(count).fill(null);
    const batch: string[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      if (ids[i] == null) continue;
      slot[i] = batch.length;
      batch.push(ids[i] as string);
    }
    if (batch.length === 0) return out;
    return requireStore(storeValue, this)
      .deleteObjects(batch)
      .then((done) => {
        for (let i = 0; i < count; i++) if (slot[i]! >= 0) out[i] = done[slot[i]!]!;
        return out;
      });
  }
}

/** Deletes the object `$id` per entry; gives true when it existed, false when it did not. */
export function deleteObject($id: Step, options?: KvetchStepOptions): DeleteObjectStep {
  return new DeleteObjectStep($id, kvetchStore(options));
}
