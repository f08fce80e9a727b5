// loadObject(type, $id): the objects of a whole layer in one getObjects call (the store de-duplicates, groups
// by shard and reads Redis first). A missing id or an object of another type is null, so the engine skips
// everything planned below that entry; an id that is not a UUID is that entry's error. Never calls the store
// per entry.

import { AccessStep, Step, fail, type ExecutionDetails, type ExecutionResults, type FlaggedValue, type OptimizeContext, type PlanValidationContext, registerStepClass, mapResults } from "../../src/index.js";
import { KvetchError, notUuidError, type KvetchObject } from "../../src/kvetch/index.js";
import { access } from "../access.js";
import { FirstStep } from "../first.js";
import { LastStep } from "../last.js";
import { KvetchListStep } from "./kvetchList.js";
import { LoadNodesStep, loadNodesBehind } from "./loadNodes.js";
import { EdgeCountStep } from "./edgeCount.js";
import { objectDependencyKey, recordReadDependencies, keysOfTheirOwn, withDependencies } from "./dependencies.js";
import { distinctIds, kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions, asRequest } from "./kvetchStore.js";
import { clientError } from "./clientError.js";

export class LoadObjectStep extends Step<KvetchObject | null> {
  static override readonly stepName = "LoadObject";
  static {
    registerStepClass(this);
  }
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

  /** The batch's store reads run as its request's work (asRequest): they wait in the request's lane at busy shards. */
  execute(details: ExecutionDetails<[readonly unknown[], unknown]>): ExecutionResults<KvetchObject | null> {
    return asRequest(details, () => this.read(details));
  }

  private read({ count, values: [ids, storeValue], deps }: ExecutionDetails<[readonly unknown[], unknown]>): ExecutionResults<KvetchObject | null> {
    const out = new Array<KvetchObject | null | FlaggedValue>(count);
    // An id that is not a UUID string is bad input: that entry's error, saying what and where; no store call.
    const { distinct, slot } = distinctIds<KvetchObject | FlaggedValue>(ids, count, out, (id) => fail(clientError(notUuidError(id, `loadObject(${JSON.stringify(this.type)})`)) as Error));
    if (distinct.length === 0) return out;
    const store = requireStore(storeValue, this);
    const type = this.type;
    store.schema.objectType(type, `loadObject(${JSON.stringify(type)})`); // an unknown type is an error, never a silent null
    // A missing object is a dependency too: creating it later must move the entry's version.
    const recorded = deps ? recordReadDependencies(deps, store, ...entryKeys(slot, count, distinct, keysOfTheirOwn(deps))) : null;
    return mapResults(withDependencies(store.getObjects(distinct, { partial: true }), recorded), (objects) => {
      for (let i = 0; i < count; i++) {
        const at = slot[i]!;
        if (at < 0) continue;
        const object = objects[at] ?? null;
        if (object instanceof KvetchError) out[i] = fail(clientError(object) as Error); // its shard failed: only this entry fails
        else out[i] = object !== null && object.type === type ? object : null;
      }
      return out;
    });
  }

  /** The step giving the id each object is loaded by (LoadedById). */
  loadedBy(): Step {
    return this.getDependency(0);
  }

  /** Whether this load is about to be made right behind a Kvetch list (LoadObjectStep.optimize): its readers are fetched ahead with it. */
  loadsBehindList(plan: OptimizeContext): boolean {
    return this.listToLoadBehind(plan) !== null;
  }

  /** The list (or node load standing for it) this load would be made behind, with the item it reads the id of. */
  private listToLoadBehind(plan: OptimizeContext): { $list: KvetchListStep | LoadNodesStep; $item: Step } | null {
    const $id = this.getDependency(0);
    if (!($id instanceof AccessStep) || $id.path.length !== 1) return null;
    const $item = $id.getDependency(0);
    if (!plan.sameEntries(this, $item)) return null;
    const $list = listBehind(plan, $item);
    if ($list === null || $id.path[0] !== $list.idKey || $list.storeStep() !== this.getDependency(1)) return null;
    if ($list instanceof LoadNodesStep && $list.type !== this.type) return null;
    return { $list, $item };
  }

  /** The type must be one the Kvetch schema defines (when the GraphQL schema was given one). */
  override validatePlan(context: PlanValidationContext): void {
    plannedKvetchSchema(context)?.objectType(this.type, `loadObject(${JSON.stringify(this.type)})`);
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
  override optimize(plan: OptimizeContext): Step {
    const behind = this.listToLoadBehind(plan);
    if (behind === null) return this;
    const { $list, $item } = behind;
    let $nodes: LoadNodesStep;
    if ($list instanceof LoadNodesStep) {
      // Another loadObject already asked this list to load its nodes: share them (the type is the same).
      $nodes = $list;
    } else {
      const readers = prefetchBesideNodes(plan, this, $item);
      $nodes = loadNodesBehind(plan, $list, this.type, readers);
      for (const $reader of readers) $reader.optimizations.push(`fetched ahead by ${$nodes}`);
    }
    const $node = new AccessStep($item, ["node"]);
    $node.optimizations.push(`loadObject(${this.type}) loaded by ${$nodes.$list}`);
    return $node;
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
  // A data bag holds JSON: an attribute named like an Object.prototype member is there only when stored.
  if (path.some((k) => typeof k === "string" && k in Object.prototype)) return new OwnAttributeStep($object, path);
  return access($object, ["data", ...path]);
}

/**
 * `get` of a path naming an Object.prototype member (`constructor`, `toString`, ...): each key is read only
 * where the value holds it itself, so an absent attribute is undefined, as any other absent attribute.
 */
export class OwnAttributeStep extends Step {
  static override readonly stepName = "OwnAttribute";
  static {
    registerStepClass(this);
  }

  constructor(
    $object: Step,
    /** The path in the object's data bag. */
    readonly path: ReadonlyArray<string | number>,
  ) {
    super();
    this.addDependency($object);
  }

  execute({ count, values: [objects] }: ExecutionDetails<[readonly unknown[]]>): unknown[] {
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      let v = (objects[i] as KvetchObject | null | undefined)?.data as unknown;
      for (let k = 0; k < this.path.length && v != null; k++) v = typeof v === "object" && Object.hasOwn(v, this.path[k]!) ? (v as Record<string | number, unknown>)[this.path[k]!] : undefined;
      out[i] = v;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof OwnAttributeStep && p.path.length === this.path.length && p.path.every((k, i) => k === this.path[i]));
  }

  override toStringMeta(): string {
    return this.path.join(".");
  }
}

/**
 * The Kvetch list (mode "list", or a page's `edges`) whose items or first/last item `$item` is — or the node
 * load that already stands for it — with the item field that names the object (`idKey`).
 */
function listBehind(plan: OptimizeContext, $item: Step): KvetchListStep | LoadNodesStep | null {
  let $list: Step | null;
  if ($item instanceof FirstStep || $item instanceof LastStep) $list = $item.getDependency(0);
  else $list = plan.listOfItem($item);
  if ($list === null) return null;
  if ($list instanceof AccessStep && $list.path.length === 1 && $list.path[0] === "edges") {
    const $page = $list.getDependency(0);
    return isListOrNodes($page, "page") ? $page : null;
  }
  return isListOrNodes($list, "list") ? $list : null;
}

function isListOrNodes($step: Step, mode: "list" | "page"): $step is KvetchListStep | LoadNodesStep {
  const $list = $step instanceof LoadNodesStep ? $step.$list : $step;
  return $list instanceof KvetchListStep && $list.settings.mode === mode;
}

/**
 * spec: PrefetchBesideNodes — the Kvetch lists and edge counts keyed by `$obj.get("id")`, where `$obj` is about
 * to be loaded behind the list of `$item`: each is replaced by an equal reader of what the node load fetches
 * ahead for the item ids (known before the nodes), and returned for that node load to fetch.
 */
function prefetchBesideNodes(plan: OptimizeContext, $obj: LoadObjectStep, $item: Step): Array<KvetchListStep | EdgeCountStep> {
  const readers: Array<KvetchListStep | EdgeCountStep> = [];
  const seen = new Set<Step>();
  const $store = $obj.getDependency(1);
  for (const $id of plan.consumersOf($obj)) {
    if (!($id instanceof AccessStep) || $id.path.length !== 1 || $id.path[0] !== "id") continue;
    for (const $consumer of plan.consumersOf($id)) {
      // A list the node load behind it already stands for (its own list is not a consumer the plan indexes).
      const $read = $consumer instanceof LoadNodesStep ? $consumer.$list : $consumer;
      if (!($read instanceof KvetchListStep || $read instanceof EdgeCountStep) || seen.has($read) || $read.keyStep() !== $id || !$read.canBePrefetched($store)) continue;
      seen.add($read);
      const $reader = $read.prefetchedFrom($item);
      plan.replaceStep($read, $reader);
      readers.push($reader);
    }
  }
  return readers;
}

/** Each querying entry and its `object:<id>` key. */
function entryKeys(slot: Int32Array, count: number, distinct: readonly string[], own: boolean): [number[], string[]] {
  const entries: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    if (slot[i]! < 0) continue;
    entries.push(i);
    keys.push(objectDependencyKey(distinct[slot[i]!]!, own));
  }
  return [entries, keys];
}

/**
 * The object of `type` with each entry's id, or null (missing, or of another type); an id that is not a UUID
 * is that entry's error.
 */
export function loadObject(type: string, $id: Step, options?: KvetchStepOptions): LoadObjectStep {
  return new LoadObjectStep(type, $id, kvetchStore(options));
}
