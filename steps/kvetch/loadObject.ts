// loadObject(type, $id): the objects of a whole layer in one getObjects call (the store de-duplicates, groups
// by shard and reads Redis first). A missing id, a malformed id or an object of another type is null, so
// the engine skips everything planned below that entry. Never calls the store per entry.

import { Step, fail, type ExecutionDetails, type FlaggedValue } from "../../src/engine/step.js";
import { ItemStep } from "../../src/engine/resolverSteps.js";
import type { KvetchObject } from "../../src/kvetch/model.js";
import { AccessStep, access } from "../access.js";
import { FirstStep } from "../first.js";
import { LastStep } from "../last.js";
import { KvetchListStep } from "./kvetchList.js";
import { distinctIds, kvetchStore, requireStore, type KvetchStepOptions } from "./kvetchStore.js";

export class LoadObjectStep extends Step<KvetchObject | null> {
  override isAsync = true;

  constructor(
    /** The object type in the Kvetch schema; objects of other types load as null. */
    readonly type: string,
    $id: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($id);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [ids, storeValue] }: ExecutionDetails<[readonly unknown[], unknown]>): Promise<Array<KvetchObject | null | FlaggedValue>> | Array<KvetchObject | null | FlaggedValue> {
    const out = new Array<KvetchObject | null | FlaggedValue>(count);
    // A non-string id is a plan mistake (an error); a malformed string id names no object (null).
    const { distinct, slot } = distinctIds<KvetchObject | FlaggedValue>(ids, count, out, (id) =>
      typeof id !== "string" ? fail(new Error(`graphscale: ${this} was given the id ${JSON.stringify(id) ?? String(id)}; ids are UUID strings.`)) : null,
    );
    if (distinct.length === 0) return out;
    const store = requireStore(storeValue, this);
    const type = this.type;
    return store.getObjects(distinct).then((objects) => {
      for (let i = 0; i < count; i++) {
        const at = slot[i]!;
        if (at < 0) continue;
        const object = objects[at] ?? null;
        out[i] = object !== null && object.type === type ? object : null;
      }
      return out;
    });
  }

  /**
   * `$obj.get("id")` is the object's id; any other key reads `data[key]` (a path reads into nested data).
   * The object's other fields: `$obj.meta("created")`.
   */
  override get(key: string | number | ReadonlyArray<string | number>): Step {
    return objectAttribute(this, key);
  }

  /** The object's own fields: id, type, version, created (ms), updated (ms). */
  meta(field: "id" | "type" | "typeId" | "version" | "created" | "updated"): Step {
    return access(this, [field]);
  }

  /**
   * Over the `toId` of a loadEdges item (or the `targetId` of a queryIndex item), the list loads these
   * objects right behind itself — same single store call for the layer — so derived rows are re-checked and
   * stale ones dropped from the list rather than showing up as null items. This step becomes `item.node`.
   */
  override optimize(): Step {
    const $id = this.getDependency(0);
    if (!($id instanceof AccessStep) || $id.path.length !== 1) return this;
    const $item = $id.getDependency(0);
    if (!this.isBesideOrBelow($item)) return this;
    const $list = kvetchListBehind($item);
    if ($list === null || $id.path[0] !== $list.idKey || $list.storeStep() !== this.getDependency(1)) return this;
    if (!$list.requestNodes(this.type)) return this;
    const $node = new AccessStep($item, ["node"]);
    $node.optimizations.push(`loadObject(${this.type}) loaded by ${$list}`);
    return $node;
  }

  /** Whether `$item` is in this step's layer, or is the value of the object layer this step runs in. */
  private isBesideOrBelow($item: Step): boolean {
    if ($item.layer === this.layer) return true;
    const r = this.layer.reason;
    return this.layer.parent === $item.layer && r.type === "nullableBoundary" && r.parentStep === $item;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof LoadObjectStep && p.type === this.type);
  }

  override toStringMeta(): string {
    return this.type;
  }
}

/**
 * `get` on every step whose value is a KvetchObject (loadObject, createObject, updateObject): "id" is the
 * object's id, any other key (or path) reads from its data bag.
 */
export function objectAttribute($object: Step, key: string | number | ReadonlyArray<string | number>): Step {
  const path = typeof key === "object" ? key : [key];
  if (path.length === 1 && path[0] === "id") return access($object, ["id"]);
  return access($object, ["data", ...path]);
}

/** The Kvetch list (mode "list", or a page's `edges`) whose items or first/last item `$item` is. */
function kvetchListBehind($item: Step): KvetchListStep | null {
  let $list: Step;
  if ($item instanceof ItemStep) {
    const r = $item.layer.reason;
    if (r.type !== "listItem") return null;
    $list = r.listStep;
  } else if ($item instanceof FirstStep || $item instanceof LastStep) {
    $list = $item.getDependency(0);
  } else {
    return null;
  }
  if ($list instanceof KvetchListStep) return $list.settings.mode === "list" ? $list : null;
  if ($list instanceof AccessStep && $list.path.length === 1 && $list.path[0] === "edges") {
    const $page = $list.getDependency(0);
    if ($page instanceof KvetchListStep && $page.settings.mode === "page") return $page;
  }
  return null;
}

/** The object of `type` with each entry's id, or null (missing, malformed id, other type). */
export function loadObject(type: string, $id: Step, options?: KvetchStepOptions): LoadObjectStep {
  return new LoadObjectStep(type, $id, kvetchStore(options));
}
