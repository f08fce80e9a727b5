// createObject(type, $data): a write step for mutation plans. Every entry of the layer is created by one
// createObjects call (one insert per shard, then the derived edges and index entries, then cache
// invalidation), so a later read sees the new objects. Never hoisted, deduplicated or run per entry.

import { Step, type ExecutionDetails, type FlaggedValue, type PlanValidationContext } from "../../src/index.js";
import type { KvetchData, KvetchObject } from "../../src/kvetch/index.js";
import { objectAttribute } from "./loadObject.js";
import { kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { dataStep, type DataArgument } from "./dataArgument.js";

export class CreateObjectStep extends Step<KvetchObject | null> {
  static override readonly stepName = "CreateObject";
  override isAsync = true;
  override hasSideEffects = true;

  constructor(
    readonly type: string,
    $data: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($data);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [datas, storeValue] }: ExecutionDetails<[readonly unknown[], unknown]>): Promise<Array<KvetchObject | null | FlaggedValue>> | Array<KvetchObject | null> {
    const out = new Array<KvetchObject | null>(count).fill(null);
    const items: { type: string; data: KvetchData }[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      const data = datas[i];
      if (data == null) continue; // no data: nothing to create, the entry is null
      slot[i] = items.length;
      items.push({ type: this.type, data: data as KvetchData });
    }
    if (items.length === 0) return out;
    return requireStore(storeValue, this)
      .createObjects(items)
      .then((created) => {
        for (let i = 0; i < count; i++) if (slot[i]! >= 0) out[i] = created[slot[i]!]!;
        return out;
      });
  }

  override validatePlan(context: PlanValidationContext): void {
    plannedKvetchSchema(context)?.objectType(this.type, `createObject(${JSON.stringify(this.type)})`);
  }

  override toStringMeta(): string {
    return this.type;
  }

  /** `$created.get("id")` is the id; other keys read the object's data, as on loadObject. */
  override get(key: string | number | ReadonlyArray<string | number>): Step {
    return objectAttribute(this, key);
  }
}

/** Creates an object of `type` per entry from its data (a step, or `{ attr: $step | value }`); gives the object. */
export function createObject(type: string, data: DataArgument, options?: KvetchStepOptions): CreateObjectStep {
  return new CreateObjectStep(type, dataStep(data), kvetchStore(options));
}
