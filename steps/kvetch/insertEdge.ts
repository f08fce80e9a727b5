// insertEdge(edge, $fromId, $toId, $data?): a write step for mutation plans. Every entry's edge goes into
// one insertEdges call (one write per shard, counts kept, cache invalidated). Stored edges only: a derived
// edge follows its child's stored id (write that with updateObject). Never hoisted, deduplicated or run per entry.

import { Step, fail, type ExecutionDetails, type FlaggedValue, type PlanValidationContext, registerStepClass } from "../../src/index.js";
import { KvetchError, isUuid, notUuidError, type KvetchData } from "../../src/kvetch/index.js";
import { constant } from "../../src/index.js";
import { kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { clientError } from "./clientError.js";
import { dataStep, type DataArgument } from "./dataArgument.js";

/** What an insertEdge entry gives: the edge as written. */
export interface InsertedEdge {
  edge: string;
  fromId: string;
  toId: string;
  data: KvetchData;
}

export class InsertEdgeStep extends Step<InsertedEdge | null> {
  static override readonly stepName = "InsertEdge";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  override hasSideEffects = true;

  constructor(
    readonly edge: string,
    $fromId: Step,
    $toId: Step,
    $data: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($fromId);
    this.addDependency($toId);
    this.addDependency($data);
    this.addGlobalDependency($store);
  }

  execute({
    count,
    values: [fromIds, toIds, datas, storeValue],
  }: ExecutionDetails<[readonly unknown[], readonly unknown[], readonly unknown[], unknown]>): Promise<Array<InsertedEdge | null | FlaggedValue>> | Array<InsertedEdge | null | FlaggedValue> {
    const out = new Array<InsertedEdge | null | FlaggedValue>(count).fill(null);
    const items: InsertedEdge[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      // Null data writes nothing (without a data argument the dependency is the constant {}, never null).
      if (fromIds[i] == null || toIds[i] == null || datas[i] == null) continue;
      const badId = !isUuid(fromIds[i]) ? fromIds[i] : !isUuid(toIds[i]) ? toIds[i] : undefined;
      if (badId !== undefined) {
        out[i] = fail(clientError(notUuidError(badId, `insertEdge(${JSON.stringify(this.edge)})`)) as Error); // bad input: this entry's error, nothing sent
        continue;
      }
      slot[i] = items.length;
      items.push({ edge: this.edge, fromId: fromIds[i] as string, toId: toIds[i] as string, data: datas[i] as KvetchData });
    }
    if (items.length === 0) return out;
    return requireStore(storeValue, this)
      .insertEdges(this.edge, items, { partial: true })
      .then((results) => {
        for (let i = 0; i < count; i++) {
          if (slot[i]! < 0) continue;
          const item = items[slot[i]!]!;
          const result = results[slot[i]!]!;
          // A failed shard fails its own entries; the edges written on the others are reported as written.
          out[i] = result instanceof KvetchError ? fail(clientError(result)) : { ...item, fromId: item.fromId.toLowerCase(), toId: item.toId.toLowerCase() };
        }
        return out;
      }, (error: unknown) => {
        throw clientError(error);
      });
  }

  override validatePlan(context: PlanValidationContext): void {
    plannedKvetchSchema(context)?.edge(this.edge, `insertEdge(${JSON.stringify(this.edge)})`);
  }

  override toStringMeta(): string {
    return this.edge;
  }
}

/** Adds the stored edge `edge` from `$fromId` to `$toId` per entry (data: a step or `{ key: $step | value }`). */
export function insertEdge(edge: string, $fromId: Step, $toId: Step, data?: DataArgument, options?: KvetchStepOptions): InsertEdgeStep {
  return new InsertEdgeStep(edge, $fromId, $toId, data === undefined ? constant({}) : dataStep(data), kvetchStore(options));
}
