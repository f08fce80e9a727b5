// updateObject(type, $id, patch, { ifVersion }): a write step for mutation plans. Every entry's patch goes
// into one updateObjects call of `type` (shallow merge, version + 1, derived edges and index entries moved,
// cache invalidated), so a later read sees the change. An id of another type, a missing object, or — with
// `ifVersion` — an object at another version fails the call before anything is written, with its code
// (WRONG_TYPE, NOT_FOUND, CONFLICT) in `extensions.code`; a patch that changes nothing writes nothing.
// Never hoisted, deduplicated or run per entry.

import { Step, constant, fail, type ExecutionDetails, type FlaggedValue, type PlanValidationContext, registerStepClass } from "../../src/index.js";
import { KvetchError, isUuid, notUuidError, type KvetchObject, type UpdateItem } from "../../src/kvetch/index.js";
import { badUserInput, clientError, describeInput } from "./clientError.js";
import { objectAttribute } from "./loadObject.js";
import { kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions } from "./kvetchStore.js";
import { dataStep, type DataArgument } from "./dataArgument.js";

export interface UpdateObjectOptions extends KvetchStepOptions {
  /** Each entry's expected version (a step or a number; null: any version): another version is a CONFLICT. */
  ifVersion?: Step | number | null;
}

export class UpdateObjectStep extends Step<KvetchObject | null> {
  static override readonly stepName = "UpdateObject";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  override hasSideEffects = true;

  constructor(
    /** The object type in the Kvetch schema; an id of another type updates nothing and is an error. */
    readonly type: string,
    $id: Step,
    $patch: Step,
    $store: Step,
    $ifVersion: Step,
  ) {
    super();
    this.addDependency($id);
    this.addDependency($patch);
    this.addGlobalDependency($store);
    this.addDependency($ifVersion);
  }

  execute({
    count,
    values: [ids, patches, storeValue, versions],
  }: ExecutionDetails<[readonly unknown[], readonly unknown[], unknown, readonly unknown[]]>): Promise<Array<KvetchObject | null | FlaggedValue>> | Array<KvetchObject | null | FlaggedValue> {
    const out = new Array<KvetchObject | null | FlaggedValue>(count).fill(null);
    const items: UpdateItem[] = [];
    const slot = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      const patch = patches[i];
      if (id == null || patch == null) continue; // nothing to update: the entry is null
      const problem = !isUuid(id)
        ? notUuidError(id, `updateObject(${JSON.stringify(this.type)})`)
        : typeof patch !== "object" || Array.isArray(patch)
          ? badUserInput(`graphscale: updateObject(${JSON.stringify(this.type)}) was given the patch ${describeInput(patch)}; a patch is an object of attributes.`)
          : null;
      if (problem !== null) {
        out[i] = fail(clientError(problem) as Error); // bad input: this entry's error, nothing sent
        continue;
      }
      slot[i] = items.length;
      items.push({ id: id as string, patch: patch as UpdateItem["patch"], ifVersion: (versions[i] ?? null) as number | null });
    }
    if (items.length === 0) return out;
    return requireStore(storeValue, this)
      .updateObjects(items, { type: this.type, partial: true })
      .then(
        (updated) => {
          for (let i = 0; i < count; i++) {
            if (slot[i]! < 0) continue;
            const result = updated[slot[i]!]!;
            out[i] = result instanceof KvetchError ? fail(clientError(result)) : result;
          }
          return out;
        },
        (error: unknown) => {
          throw clientError(error);
        },
      );
  }

  override validatePlan(context: PlanValidationContext): void {
    plannedKvetchSchema(context)?.objectType(this.type, `updateObject(${JSON.stringify(this.type)})`);
  }

  override toStringMeta(): string {
    return this.type;
  }

  /** `$updated.get("id")` is the id; other keys read the object's data, as on loadObject. */
  override get(key: string | number | ReadonlyArray<string | number>): Step {
    return objectAttribute(this, key);
  }
}

/**
 * Merges each entry's patch (a step, or `{ attr: $step | value }`) into the object `$id` of `type`; gives the
 * updated object. `updateObject($id, patch)` (no type) is refused with the call to write instead.
 */
export function updateObject(type: string, $id: Step, patch: DataArgument, options?: UpdateObjectOptions): UpdateObjectStep {
  if (typeof type !== "string") {
    throw new Error(
      `graphscale: updateObject(type, $id, patch) takes the Kvetch object type first, so an id of another type is refused; ` +
        `write updateObject("TodoItem", $id, { done: $done }) instead of updateObject($id, ...).`,
    );
  }
  if (!($id instanceof Step) || patch == null) {
    throw new Error(`graphscale: updateObject(${JSON.stringify(type)}, $id, patch) needs the id as a step and a patch (a step or { attr: $step | value }).`);
  }
  const version = options?.ifVersion ?? null;
  return new UpdateObjectStep(type, $id, dataStep(patch), kvetchStore(options), version instanceof Step ? version : constant(version));
}
