// deleteObject(type, $id): a write step for mutation plans. Every entry's id goes into one deleteObjects call
// checked against `type` (the objects, then the derived edges and index entries they implied, then cache
// invalidation). Each entry gets true when its object existed, false when it did not, or its shard's error;
// an id naming an object of another type fails the call before anything is deleted (extensions.code
// WRONG_TYPE).
// Never hoisted, deduplicated or run per entry.

import { Step, fail, type ExecutionDetails, type FlaggedValue, registerStepClass } from "../../src/index.js";
import { KvetchError, isUuid, notUuidError } from "../../src/kvetch/index.js";
import { clientError } from "./clientError.js";
import { kvetchStore, requireStore, type KvetchStepOptions } from "./kvetchStore.js";

export class DeleteObjectStep extends Step<boolean | null> {
  static override readonly stepName = "DeleteObject";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  override hasSideEffects = true;

  constructor(
    /** The object type in the Kvetch schema; an id of another type deletes nothing and is an error. */
    readonly type: string,
    $id: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($id);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [ids, storeValue] }: ExecutionDetails<[readonly unknown[], unknown]>): Promise<Array<boolean | null | FlaggedValue>> | Array<boolean | null | FlaggedValue> {
    const out = new Array<boolean | null | FlaggedValue>(count).fill(null);
    const batch: string[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      if (ids[i] == null) continue;
      if (!isUuid(ids[i])) {
        out[i] = fail(clientError(notUuidError(ids[i], `deleteObject(${JSON.stringify(this.type)})`)) as Error); // bad input: this entry's error, nothing sent
        continue;
      }
      slot[i] = batch.length;
      batch.push(ids[i] as string);
    }
    if (batch.length === 0) return out;
    return requireStore(storeValue, this)
      .deleteObjects(batch, { type: this.type, partial: true })
      .then(
        (done) => {
          for (let i = 0; i < count; i++) {
            if (slot[i]! < 0) continue;
            const result = done[slot[i]!]!;
            out[i] = result instanceof KvetchError ? fail(clientError(result)) : result;
          }
          return out;
        },
        (error: unknown) => {
          throw clientError(error);
        },
      );
  }

  override toStringMeta(): string {
    return this.type;
  }
}

/** Deletes the object `$id` of `type` per entry; true when it existed, false when not, an error for another type. */
export function deleteObject(type: string, $id: Step, options?: KvetchStepOptions): DeleteObjectStep {
  if (typeof type !== "string") {
    throw new Error(`graphscale: deleteObject(type, $id) takes the Kvetch object type first, e.g. deleteObject("TodoItem", args.get("id")).`);
  }
  return new DeleteObjectStep(type, $id, kvetchStore(options));
}
