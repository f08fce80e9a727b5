// LoadedIdStep: the id an object was loaded by, normalized as the store normalizes it — what `$obj.get("id")`
// gives wherever the object exists. A Kvetch read keyed by an object's id reads this instead (LoadedById),
// so it does not wait for the object: both run in the same round trip — hoisted together when the id is
// global, side by side in the object's layer when it is per entry (an object inside a list). Never reads
// the store; one plain loop per batch.

import { AccessStep, Step, registerStepClass, type ExecutionDetails, type OptimizeContext } from "../../src/index.js";
import { isUuid } from "../../src/kvetch/index.js";

export class LoadedIdStep extends Step<string | null> {
  static override readonly stepName = "LoadedId";
  static {
    registerStepClass(this);
  }

  constructor($id: Step) {
    super();
    this.addDependency($id);
  }

  /** The lower-cased id, or null where the object load reads nothing (null, malformed or non-string ids). */
  execute({ count, values: [ids] }: ExecutionDetails<[readonly unknown[]]>): Array<string | null> {
    const out = new Array<string | null>(count);
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      out[i] = isUuid(id) ? id.toLowerCase() : null;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof LoadedIdStep);
  }
}

/** A step that loads one object per entry by an id step (loadObject): `loadedBy()` is that id step. */
interface LoadsById {
  loadedBy(): Step;
  /** Whether this load is about to be made right behind a Kvetch list (LoadNodesBehind), which fetches ahead. */
  loadsBehindList?(plan: OptimizeContext): boolean;
}

function loadsById($step: Step): $step is Step & LoadsById {
  return typeof ($step as Partial<LoadsById>).loadedBy === "function";
}

/** Where a read keyed by the id its object was loaded by goes: its new key, and whether it runs beside the object load. */
export interface LoadedKey {
  $key: Step;
  /** The object load when the read must be placed in its layer (a per-entry id: LoadedById per entry); null when global. */
  $beside: Step | null;
}

/**
 * spec: LoadedById — the key `$reader` should read instead of `$key`, or null to keep it. When `$key` is
 * `$obj.get("id")` of an object loaded by id, and `$reader` runs in the layer opened on `$obj`'s non-null
 * values (so every entry it serves has the object, whose id is the id it was loaded by), the key becomes that
 * id, normalized (LoadedIdStep): the read can then run beside the object load — hoisted with it when the id is
 * global, placed in the object's layer (`$beside`) when it is per entry. Where the object turns out missing, the
 * read still runs and its result is never shown (the null object hides it).
 */
export function loadedById(plan: OptimizeContext, $reader: Step, $key: Step): LoadedKey | null {
  if (!($key instanceof AccessStep) || $key.path.length !== 1 || $key.path[0] !== "id") return null;
  const $obj = $key.getDependency(0);
  if (!loadsById($obj) || $reader.layerId === $obj.layerId || !plan.sameEntries($reader, $obj)) return null;
  const $id = $obj.loadedBy();
  const global = $id.canBeGlobal();
  // An object loaded behind a list fetches its readers ahead with its node load instead (PrefetchBesideNodes).
  if (!global && $obj.loadsBehindList?.(plan) === true) return null;
  // Placed in the object's layer, the read may depend on nothing of the layer opened on the object: its other
  // inputs (store, first, after) must be global.
  if (!global && $reader.dependencies.some((d) => d !== $key && !d.canBeGlobal())) return null;
  const $loadedId = new LoadedIdStep($id);
  $loadedId.optimizations.push(`${$key} is the id ${$obj} was loaded by`);
  if (global) return { $key: $loadedId, $beside: null };
  plan.adoptBeside($loadedId, $obj);
  return { $key: $loadedId, $beside: $obj };
}
