// createObject(type, $data, { idempotencyKey }): a write step for mutation plans. Every entry of the layer is
// created by one createObjects call (one insert per shard, then the derived edges and index entries, then
// cache invalidation), so a later read sees the new objects. Each entry tells the truth: an object whose row
// was stored is the entry's value even if its derived rows were queued for repair; an entry whose shard
// failed is an error at that entry. With a key, a retried create gives the first object, never a second one.
// Never hoisted, deduplicated or run per entry.

import { Step, constant, fail, type ExecutionDetails, type FlaggedValue, type PlanValidationContext, registerStepClass } from "../../src/index.js";
import { KvetchError, type KvetchData, type KvetchObject } from "../../src/kvetch/index.js";
import { objectAttribute } from "./loadObject.js";
import { kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { badUserInput, clientError, describeInput } from "./clientError.js";
import { dataStep, type DataArgument } from "./dataArgument.js";

export interface CreateObjectOptions extends KvetchStepOptions {
  /** Each entry's idempotency key (a step or a string; null: none): the same key and type give the same object. */
  idempotencyKey?: Step | string | null;
}

export class CreateObjectStep extends Step<KvetchObject | null> {
  static override readonly stepName = "CreateObject";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  override hasSideEffects = true;

  constructor(
    readonly type: string,
    $data: Step,
    $store: Step,
    $key: Step,
  ) {
    super();
    this.addDependency($data);
    this.addGlobalDependency($store);
    this.addDependency($key);
  }

  execute({
    count,
    values: [datas, storeValue, keys],
  }: ExecutionDetails<[readonly unknown[], unknown, readonly unknown[]]>): Promise<Array<KvetchObject | null | FlaggedValue>> | Array<KvetchObject | null | FlaggedValue> {
    const out = new Array<KvetchObject | null | FlaggedValue>(count).fill(null);
    const items: { type: string; data: KvetchData; idempotencyKey?: string }[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      const data = datas[i];
      if (data == null) continue; // no data: nothing to create, the entry is null
      const key = keys[i];
      if (typeof data !== "object" || Array.isArray(data) || (key != null && typeof key !== "string")) {
        const what = typeof data !== "object" || Array.isArray(data) ? `the data ${describeInput(data)}; data is an object of attributes` : `the idempotencyKey ${describeInput(key)}; a key is a string`;
        out[i] = fail(badUserInput(`graphscale: createObject(${JSON.stringify(this.type)}) was given ${what}.`)); // bad input: nothing sent
        continue;
      }
      slot[i] = items.length;
      items.push(key == null ? { type: this.type, data: data as KvetchData } : { type: this.type, data: data as KvetchData, idempotencyKey: key as string });
    }
    if (items.length === 0) return out;
    return requireStore(storeValue, this)
      .createObjects(items, { partial: true })
      .then((created) => {
        for (let i = 0; i < count; i++) {
          if (slot[i]! < 0) continue;
          const result = created[slot[i]!]!;
          out[i] = result instanceof KvetchError ? fail(clientError(result)) : result;
        }
        return out;
      }, (error: unknown) => {
        throw clientError(error);
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
export function createObject(type: string, data: DataArgument, options?: CreateObjectOptions): CreateObjectStep {
  const key = options?.idempotencyKey ?? null;
  return new CreateObjectStep(type, dataStep(data), kvetchStore(options), key instanceof Step ? key : constant(key));
}
