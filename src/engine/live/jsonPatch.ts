// JSON Patch (RFC 6902): the operations that turn one JSON document into another, for live queries that
// send what changed instead of whole results. Works on JSON values (what JSON.parse gives: objects, arrays,
// strings, numbers, booleans, null); never changes either document. Paths are JSON Pointers (RFC 6901).

/** One RFC 6902 operation; the diff uses these three. */
export type JsonPatchOperation =
  | { readonly op: "add"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "replace"; readonly path: string; readonly value: unknown };

/**
 * spec: DiffJSON — the operations that, applied in order to `from`, give a document equal to `to`: objects
 * member by member (removed, added, or diffed), arrays by their common head and tail (the items between
 * diffed pairwise, then the extra old ones removed from the last, or the extra new ones added in order),
 * anything else replaced when not equal. Equal documents give no operation.
 */
export function diffJSON(from: unknown, to: unknown): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diffValue(from, to, "", ops);
  return ops;
}

/** A JSON Pointer reference token: `~` written `~0`, `/` written `~1` (RFC 6901 §3). */
export function pointerToken(token: string | number): string {
  return typeof token === "number" ? String(token) : token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function diffValue(from: unknown, to: unknown, path: string, ops: JsonPatchOperation[]): void {
  if (from === to) return;
  if (Array.isArray(from) && Array.isArray(to)) return diffArray(from, to, path, ops);
  if (isObject(from) && isObject(to)) return diffObject(from, to, path, ops);
  if (!equalJSON(from, to)) ops.push({ op: "replace", path, value: to });
}

function diffObject(from: Record<string, unknown>, to: Record<string, unknown>, path: string, ops: JsonPatchOperation[]): void {
  for (const key of Object.keys(from)) if (!Object.prototype.hasOwnProperty.call(to, key)) ops.push({ op: "remove", path: `${path}/${pointerToken(key)}` });
  for (const key of Object.keys(to)) {
    const at = `${path}/${pointerToken(key)}`;
    if (Object.prototype.hasOwnProperty.call(from, key)) diffValue(from[key], to[key], at, ops);
    else ops.push({ op: "add", path: at, value: to[key] });
  }
}

function diffArray(from: readonly unknown[], to: readonly unknown[], path: string, ops: JsonPatchOperation[]): void {
  const n = from.length;
  const m = to.length;
  let head = 0;
  while (head < n && head < m && equalJSON(from[head], to[head])) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && equalJSON(from[n - 1 - tail], to[m - 1 - tail])) tail++;
  const oldMiddle = n - head - tail;
  const newMiddle = m - head - tail;
  const paired = Math.min(oldMiddle, newMiddle);
  for (let i = 0; i < paired; i++) diffValue(from[head + i], to[head + i], `${path}/${head + i}`, ops);
  // Removed from the last, so each index still names the item it meant; added in order before the tail.
  for (let i = oldMiddle - 1; i >= paired; i--) ops.push({ op: "remove", path: `${path}/${head + i}` });
  for (let i = paired; i < newMiddle; i++) ops.push({ op: "add", path: `${path}/${head + i}`, value: to[head + i] });
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
