// Dependency keys: the names a response's dependencies are given (`object:<id>`, `edges:<edge>:<fromId>`,
// `count:<edge>:<fromId>`, `index:<index>:<valueKey>`, or a developer's own `<kind>:<name>`), and the cache
// tag each one is versioned under. Keys are the public form; tags are what writes bump. Never does I/O.

import { indexValueHash } from "./backend.js";
import { edgeListTag, indexListTag, objectTag } from "./cache.js";
import { KvetchError, describeValue } from "./errors.js";
import { isUuid } from "./id.js";
import type { KvetchSchema } from "./schema.js";
import { indexValueKey } from "./shard.js";

/** Longest dependency key accepted (a developer's key; Kvetch's own are far shorter). */
export const MAX_KEY_LENGTH = 1024;

const KIND = /^[a-z][a-zA-Z0-9_-]*$/;

export function objectKey(id: string): string {
  return `object:${id}`;
}
export function edgesKey(edge: string, fromId: string): string {
  return `edges:${edge}:${fromId}`;
}
export function countKey(edge: string, fromId: string): string {
  return `count:${edge}:${fromId}`;
}
export function indexKey(index: string, valueKey: string): string {
  return `index:${index}:${valueKey}`;
}

function malformed(key: unknown, where: string, why: string): KvetchError {
  return new KvetchError("BAD_ARGUMENT", `${where}: malformed dependency key ${describeValue(key)} (${why})`);
}

/**
 * spec: DependencyTag — the tag a dependency key is versioned under: an object's cache tag, its edge list's
 * (for `edges:` and `count:`, which therefore move together), an index list's, or `k:<key>` for a key of the
 * developer's own kind. Malformed keys are a BAD_ARGUMENT naming the key.
 */
export function dependencyTag(schema: KvetchSchema, key: unknown, where: string): string {
  if (typeof key !== "string") throw malformed(key, where, "a key is a string");
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw malformed(key, where, `1 to ${MAX_KEY_LENGTH} characters`);
  const colon = key.indexOf(":");
  if (colon < 1 || colon === key.length - 1) throw malformed(key, where, "expected <kind>:<name>");
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  if (kind === "object") {
    if (!isUuid(rest)) throw malformed(key, where, "object:<id> needs an object id");
    return objectTag(rest.toLowerCase());
  }
  if (kind === "edges" || kind === "count") {
    const split = rest.lastIndexOf(":");
    const id = rest.slice(split + 1);
    if (split < 1 || !isUuid(id)) throw malformed(key, where, `${kind}:<edge>:<fromId> needs an edge name and an id`);
    const def = schema.edgeNamed(rest.slice(0, split));
    if (def === undefined) throw malformed(key, where, `the schema has no edge "${rest.slice(0, split)}"`);
    return edgeListTag(def.edgeId, id.toLowerCase());
  }
  if (kind === "index") {
    const split = rest.indexOf(":");
    if (split < 1) throw malformed(key, where, "index:<index>:<valueKey> needs an index name and a value");
    const def = schema.indexNamed(rest.slice(0, split));
    if (def === undefined) throw malformed(key, where, `the schema has no index "${rest.slice(0, split)}"`);
    let value: unknown;
    try {
      value = JSON.parse(rest.slice(split + 1));
    } catch {
      throw malformed(key, where, "the value of index:<index>:<valueKey> is JSON text");
    }
    return indexListTag(def.indexId, indexValueHash(indexValueKey(value)));
  }
  if (!KIND.test(kind)) throw malformed(key, where, "a kind is a lowercase letter, then letters, digits, _ or -");
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) < 32) throw malformed(key, where, "no control characters");
  }
  return `k:${key}`;
}

/** The tags of a list of keys, checked (the first malformed key fails the call, naming its position). */
export function dependencyTags(schema: KvetchSchema, keys: readonly unknown[], where: string): string[] {
  if (!Array.isArray(keys)) throw new KvetchError("BAD_ARGUMENT", `${where} needs an array of dependency keys`);
  const tags = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) tags[i] = dependencyTag(schema, keys[i], `${where}[${i}]`);
  return tags;
}
