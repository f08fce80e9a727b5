// JSON Patch (RFC 6902): the operations that turn one JSON document into another, for live queries that
// send what changed instead of whole results. Works on JSON values (what JSON.parse gives: objects, arrays,
// strings, numbers, booleans, null); never changes either document. Paths are JSON Pointers (RFC 6901).

/** One RFC 6902 operation; the diff uses these four. */
export type JsonPatchOperation =
  | { readonly op: "add"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "replace"; readonly path: string; readonly value: unknown }
  | { readonly op: "move"; readonly from: string; readonly path: string };

/**
 * spec: DiffJSON — the operations that, applied in order to `from`, give a document equal to `to`: objects
 * member by member (removed, added, or diffed), arrays of objects named by `key` (DiffKeyedList) item by
 * item, other arrays by their common head and tail (the items between diffed pairwise, then the extra old
 * ones removed from the last, or the extra new ones added in order), anything else replaced when not equal.
 * Equal documents give no operation.
 */
export function diffJSON(from: unknown, to: unknown, key: string | null = "id"): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diffValue(from, to, "", ops, key);
  return ops;
}

/** A JSON Pointer reference token: `~` written `~0`, `/` written `~1` (RFC 6901 §3). */
export function pointerToken(token: string | number): string {
  return typeof token === "number" ? String(token) : token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function diffValue(from: unknown, to: unknown, path: string, ops: JsonPatchOperation[], key: string | null): void {
  if (from === to) return;
  if (Array.isArray(from) && Array.isArray(to)) {
    const keyed = key === null ? null : keysOf(from, to, key);
    return keyed === null ? diffArray(from, to, path, ops, key) : diffKeyedList(from, to, keyed[0], keyed[1], path, ops, key!);
  }
  if (isObject(from) && isObject(to)) return diffObject(from, to, path, ops, key);
  if (!equalJSON(from, to)) ops.push({ op: "replace", path, value: to });
}

function diffObject(from: Record<string, unknown>, to: Record<string, unknown>, path: string, ops: JsonPatchOperation[], key: string | null): void {
  for (const member of Object.keys(from)) if (!Object.prototype.hasOwnProperty.call(to, member)) ops.push({ op: "remove", path: `${path}/${pointerToken(member)}` });
  for (const member of Object.keys(to)) {
    const at = `${path}/${pointerToken(member)}`;
    if (Object.prototype.hasOwnProperty.call(from, member)) diffValue(from[member], to[member], at, ops, key);
    else ops.push({ op: "add", path: at, value: to[member] });
  }
}

function diffArray(from: readonly unknown[], to: readonly unknown[], path: string, ops: JsonPatchOperation[], key: string | null): void {
  const n = from.length;
  const m = to.length;
  let head = 0;
  while (head < n && head < m && equalJSON(from[head], to[head])) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && equalJSON(from[n - 1 - tail], to[m - 1 - tail])) tail++;
  const oldMiddle = n - head - tail;
  const newMiddle = m - head - tail;
  const paired = Math.min(oldMiddle, newMiddle);
  for (let i = 0; i < paired; i++) diffValue(from[head + i], to[head + i], `${path}/${head + i}`, ops, key);
  // Removed from the last, so each index still names the item it meant; added in order before the tail.
  for (let i = oldMiddle - 1; i >= paired; i--) ops.push({ op: "remove", path: `${path}/${head + i}` });
  for (let i = paired; i < newMiddle; i++) ops.push({ op: "add", path: `${path}/${head + i}`, value: to[head + i] });
}

/**
 * The identities of two lists' items when every item of both is an object whose `key` member is a string
 * or a number, unique within its list (and neither list is empty); otherwise null.
 */
function keysOf(from: readonly unknown[], to: readonly unknown[], key: string): [unknown[], unknown[]] | null {
  if (from.length === 0 || to.length === 0) return null;
  const identities = (list: readonly unknown[]): unknown[] | null => {
    const out = new Array<unknown>(list.length);
    const seen = new Set<unknown>();
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, key)) return null;
      const id = item[key];
      if ((typeof id !== "string" && typeof id !== "number") || seen.has(id)) return null;
      seen.add(id);
      out[i] = id;
    }
    return out;
  };
  const a = identities(from);
  const b = a === null ? null : identities(to);
  return a === null || b === null ? null : [a, b];
}

/**
 * spec: DiffKeyedList — a list whose items are named by `key`: one `remove` per item gone (from the last),
 * items that stay keep the longest run already in order (LongestIncreasingRun) and each other one that
 * stays is one `move`, each new item one `add`, every item placed right after the one before it in `to`;
 * then each item that stayed is diffed with its old self at its new index.
 */
function diffKeyedList(from: readonly unknown[], to: readonly unknown[], fromIds: unknown[], toIds: unknown[], path: string, ops: JsonPatchOperation[], key: string): void {
  const wanted = new Map<unknown, number>();
  for (let i = 0; i < toIds.length; i++) wanted.set(toIds[i], i);
  const current: unknown[] = [];
  const oldAt = new Map<unknown, number>();
  for (let i = fromIds.length - 1; i >= 0; i--) if (!wanted.has(fromIds[i])) ops.push({ op: "remove", path: `${path}/${i}` });
  for (let i = 0; i < fromIds.length; i++) {
    if (!wanted.has(fromIds[i])) continue;
    oldAt.set(fromIds[i], i);
    current.push(fromIds[i]);
  }
  const stays = longestIncreasingRun(current.map((id) => wanted.get(id)!));
  const anchored = new Set<unknown>();
  for (const c of stays) anchored.add(current[c]);
  for (let i = 0; i < toIds.length; i++) {
    const id = toIds[i];
    if (anchored.has(id)) continue;
    const at = oldAt.has(id) ? current.indexOf(id) : -1;
    if (at >= 0) current.splice(at, 1);
    const target = i === 0 ? 0 : current.indexOf(toIds[i - 1]) + 1;
    current.splice(target, 0, id);
    if (at < 0) ops.push({ op: "add", path: `${path}/${target}`, value: to[i] });
    else if (at !== target) ops.push({ op: "move", from: `${path}/${at}`, path: `${path}/${target}` });
  }
  for (let i = 0; i < toIds.length; i++) {
    const was = oldAt.get(toIds[i]);
    if (was !== undefined) diffValue(from[was], to[i], `${path}/${i}`, ops, key);
  }
}

/** The indexes (ascending) of a longest strictly increasing run of `values` (patience sorting). */
function longestIncreasingRun(values: readonly number[]): number[] {
  const tails: number[] = [];
  const previous = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]!]! < values[i]!) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const out = new Array<number>(tails.length);
  for (let i = tails.length - 1, at = tails[tails.length - 1] ?? -1; i >= 0; i--, at = previous[at]!) out[i] = at;
  return out;
}

/** Whether two JSON values are equal (object members in any order). */
export function equalJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalJSON(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.prototype.hasOwnProperty.call(b, key) || !equalJSON(a[key], b[key])) return false;
  return true;
}
