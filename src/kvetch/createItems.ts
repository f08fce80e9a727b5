// The items of a create checked and encoded before any I/O (Kvetch.createObjects): each one's type, data and
// idempotency key, with the derived rows its data implies; an error names the call and the item.

import { derivedRowsOf } from "./derived.js";
import { encodeData } from "./data.js";
import { KvetchError, describeValue } from "./errors.js";
import type { KvetchData, NewItem } from "./model.js";
import type { KvetchSchema } from "./schema.js";
import type { NewObject } from "./write.js";

/** planCreates: the objects `call`'s items would create, in order; the first bad item throws, naming it. */
export function planCreates(schema: KvetchSchema, call: string, items: readonly NewItem[]): NewObject[] {
  if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { type, data }`);
  const planned = new Array<NewObject>(items.length);
  for (let i = 0; i < items.length; i++) {
    const where = call === "createObject" ? call : `${call} items[${i}]`;
    const item = items[i];
    if (item === null || typeof item !== "object") throw new KvetchError("BAD_ARGUMENT", `${where} must be { type, data }`);
    const type = schema.objectType(item.type, where);
    const body = encodeData(item.data, `${where} data`);
    const data = JSON.parse(body) as KvetchData;
    const key = item.idempotencyKey;
    if (key !== undefined && key !== null && (typeof key !== "string" || key.length === 0 || key.length > 255)) {
      throw new KvetchError("BAD_ARGUMENT", `${where} idempotencyKey must be a string of 1 to 255 characters, got ${describeValue(key)}`);
    }
    planned[i] = { type, data, body, derived: derivedRowsOf(type, data, true, where), idempotencyKey: key ?? undefined };
  }
  return planned;
}
