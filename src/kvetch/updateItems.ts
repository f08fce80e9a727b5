// The items of an update as callers give them ({ type?, id, patch, ifVersion? }), checked and merged into the
// ObjectPatch list write.ts applies — every check before any I/O, so a bad item writes nothing.
// Never reads or writes a shard; never lets a caller's patch share memory with what is stored.

import { encodeData, setKey } from "./data.js";
import { distinctKeys } from "./distinct.js";
import { KvetchError, describeValue } from "./errors.js";
import { checkId } from "./id.js";
import type { KvetchData } from "./model.js";
import type { KvetchObjectTypeDef, KvetchSchema } from "./schema.js";
import type { ObjectPatch } from "./write.js";

/**
 * One object to update: its id, the keys to set (undefined removes a key), its type (here or in the call's
 * `type` option: an id of another type is refused), and optionally the version it must be at.
 */
export interface UpdateItem {
  type?: string;
  id: string;
  patch: KvetchData;
  ifVersion?: number | null;
}

/**
 * objectPatches: each item checked (type named and known, id, patch data, ifVersion a positive integer), then
 * the items for one id merged in order into one patch (a shallow merge of shallow merges), so one batch never
 * holds two compare-and-sets, or two derived-row moves, for the same object. `slotOf[i]` is item i's patch.
 */
export function objectPatches(schema: KvetchSchema, call: string, items: readonly UpdateItem[], batchType: string | undefined): { patches: ObjectPatch[]; slotOf: Int32Array } {
  if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { type?, id, patch, ifVersion? }`);
  const defaultType = batchType === undefined ? undefined : schema.objectType(batchType, `${call} type`);
  const ids = new Array<string>(items.length);
  const wheres = new Array<string>(items.length);
  const types = new Array<KvetchObjectTypeDef>(items.length);
  for (let i = 0; i < items.length; i++) {
    const where = call === "updateObject" ? call : `${call} items[${i}]`;
    wheres[i] = where;
    const item = items[i];
    if (item === null || typeof item !== "object") throw new KvetchError("BAD_ARGUMENT", `${where} must be { type?, id, patch, ifVersion? }`);
    if (item.type !== undefined) {
      types[i] = schema.objectType(item.type, where);
      if (defaultType !== undefined && types[i] !== defaultType) {
        throw new KvetchError("BAD_ARGUMENT", `${where} has type ${types[i]!.name} but the call's type is ${defaultType.name}; give one of them`);
      }
    } else if (defaultType !== undefined) types[i] = defaultType;
    else throw new KvetchError("BAD_ARGUMENT", `${where} names no type: give { type, id, patch } or ${call}(items, { type: "Todo" }), so an id of another type is refused`);
    ids[i] = checkId(item.id, `${where} id`);
    encodeData(item.patch, `${where} patch`);
    const version = item.ifVersion;
    if (version !== undefined && version !== null && (!Number.isSafeInteger(version) || version < 1)) {
      throw new KvetchError("BAD_ARGUMENT", `${where} ifVersion must be a positive integer (an object's version), got ${describeValue(version)}`);
    }
  }
  const distinct = distinctKeys(ids);
  const patches = new Array<ObjectPatch>(distinct.keys.length);
  for (let p = 0; p < patches.length; p++) {
    const first = distinct.firstOf[p]!;
    patches[p] = { id: distinct.keys[p]!, type: types[first]!, patch: {}, ifVersion: null, where: wheres[first]! };
  }
  for (let i = 0; i < items.length; i++) {
    const merged = patches[distinct.slotOf[i]!]!;
    if (types[i] !== merged.type) {
      throw new KvetchError("BAD_ARGUMENT", `${wheres[i]} names ${ids[i]} as type ${types[i]!.name}, an earlier item as type ${merged.type.name}; an object has one type`);
    }
    const version = items[i]!.ifVersion ?? null;
    if (version !== null && merged.ifVersion !== null && version !== merged.ifVersion) {
      throw new KvetchError("BAD_ARGUMENT", `${wheres[i]} gives ${ids[i]} ifVersion ${version}, an earlier item ${merged.ifVersion}; one batch updates an object once, from one version`);
    }
    if (version !== null) merged.ifVersion = version;
    const patch = items[i]!.patch;
    for (const key of Object.keys(patch)) {
      const value = patch[key];
      setKey(merged.patch, key, value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
    }
  }
  return { patches, slotOf: distinct.slotOf };
}
