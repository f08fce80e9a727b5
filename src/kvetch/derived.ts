// Derived data: which edges and index entries an object implies, and the pure checks that tell whether a
// derived row still holds for its canonical object. The GraphQL load steps call the checks themselves when
// they read with `verify: false`. Never does I/O; never trusts a derived row over the canonical object.

import { KvetchError } from "./errors.js";
import { isUuid } from "./id.js";
import type { KvetchData, KvetchObject } from "./model.js";
import type { KvetchEdgeDef, KvetchIndexDef, KvetchObjectTypeDef } from "./schema.js";
import { indexValueKey } from "./shard.js";

/** An attribute of a data bag: its own key only, so a name such as `constructor` is absent unless set. */
function ownAttr(data: KvetchData, attr: string): unknown {
  return Object.hasOwn(data, attr) ? data[attr] : undefined;
}

/**
 * derivedEdgeHolds: whether the canonical child object still implies the edge `fromId → toId`: it exists,
 * is of the edge's storedOnType, and `data[storedIdAttr]` is `fromId`. Stored (non-derived) edges always hold.
 */
export function derivedEdgeHolds(
  edgeDef: KvetchEdgeDef,
  edge: { fromId: string; toId: string },
  target: KvetchObject | null | undefined,
): boolean {
  return derivedTargetHolds(edgeDef, edge.fromId, edge.toId, target);
}

/** derivedEdgeHolds for the edge `fromId → toId` given by its ids (fromId canonical: lowercase). */
export function derivedTargetHolds(edgeDef: KvetchEdgeDef, fromId: string, toId: string, target: KvetchObject | null | undefined): boolean {
  if (!edgeDef.derived) return true;
  if (!target || target.id !== toId || target.type !== edgeDef.storedOnType) return false;
  const stored = ownAttr(target.data, edgeDef.storedIdAttr!);
  return typeof stored === "string" && stored.length === 36 && stored.toLowerCase() === fromId;
}

/**
 * indexEntryHolds: whether the canonical target object still implies an entry for `value`: it exists, is of
 * the index's indexedType, and `data[indexedAttr]` has the same canonical JSON as `value`.
 */
export function indexEntryHolds(
  indexDef: KvetchIndexDef,
  value: unknown,
  target: KvetchObject | null | undefined,
): boolean {
  if (!target || target.type !== indexDef.indexedType) return false;
  const stored = ownAttr(target.data, indexDef.indexedAttr);
  if (stored === undefined || stored === null || value === undefined || value === null) return false;
  if (typeof stored === "string" && typeof value === "string") return stored === value;
  return indexValueKey(stored) === indexValueKey(value);
}

/** The derived rows one object implies: (edgeId, fromId) per derived edge, (indexId, valueKey) per index. */
export interface DerivedRows {
  edges: { edge: KvetchEdgeDef; fromId: string }[];
  index: { index: KvetchIndexDef; valueKey: string }[];
}

/**
 * derivedRowsOf: the derived rows `data` implies for an object of `type`. A stored id attribute or indexed
 * attribute that is absent or null implies nothing. With `strict` (writes), a stored id that is not a UUID
 * is an error before any I/O; without (repair reading old data), it implies nothing.
 */
export function derivedRowsOf(type: KvetchObjectTypeDef, data: KvetchData, strict: boolean, where: string): DerivedRows {
  const rows: DerivedRows = { edges: [], index: [] };
  for (const edge of type.derivedEdges) {
    const stored = ownAttr(data, edge.storedIdAttr!);
    if (stored === undefined || stored === null) continue;
    if (!isUuid(stored)) {
      if (!strict) continue;
      throw new KvetchError(
        "BAD_DATA",
        `${where}: ${type.name}.data.${edge.storedIdAttr} must be a UUID string or null (it is the parent id of ` +
          `derived edge "${edge.name}"), got ${JSON.stringify(stored)}`,
      );
    }
    rows.edges.push({ edge, fromId: stored.toLowerCase() });
  }
  for (const index of type.indexes) {
    const value = ownAttr(data, index.indexedAttr);
    if (value === undefined || value === null) continue;
    rows.index.push({ index, valueKey: indexValueKey(value) });
  }
  return rows;
}

/** What an update must change: rows the old data implied but the new does not, and the reverse. */
export interface DerivedDiff {
  removed: DerivedRows;
  added: DerivedRows;
}

/** diffDerivedRows: old minus new and new minus old; an unchanged stored id or value writes nothing. */
export function diffDerivedRows(before: DerivedRows, after: DerivedRows): DerivedDiff {
  const diff: DerivedDiff = { removed: { edges: [], index: [] }, added: { edges: [], index: [] } };
  for (const row of before.edges) {
    if (!after.edges.some((other) => other.edge === row.edge && other.fromId === row.fromId)) diff.removed.edges.push(row);
  }
  for (const row of after.edges) {
    if (!before.edges.some((other) => other.edge === row.edge && other.fromId === row.fromId)) diff.added.edges.push(row);
  }
  for (const row of before.index) {
    if (!after.index.some((other) => other.index === row.index && other.valueKey === row.valueKey)) diff.removed.index.push(row);
  }
  for (const row of after.index) {
    if (!before.index.some((other) => other.index === row.index && other.valueKey === row.valueKey)) diff.added.index.push(row);
  }
  return diff;
}
