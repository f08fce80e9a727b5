// The schema lock (spec/kvetch-storage.md §2.5): what every type, edge and index id has meant since the
// installation's first migrate — its name, its kind and (edges, indexes) the shape of the rows it keys.
// Pure: compares a configured schema with the stored lock and makes the next lock; never does I/O
// (schemaLockStore.ts reads and writes it). An id keeps its meaning forever, retired or not.

import { KvetchError, markInternal } from "./errors.js";
import type { KvetchSchema } from "./schema.js";

export type LockKind = "type" | "edge" | "index";

/** One id's recorded meaning. */
export interface LockEntry {
  kind: LockKind;
  id: number;
  name: string;
  /**
   * What the rows under the id are made of: an index's `Type.attr`, a derived edge's `derived Type.attr` (the
   * child type and the attribute holding the parent id), a stored edge's `stored`; a type has none ("").
   */
  shape: string;
  /** The lock version that retired it (the first migrate whose schema left it out); absent while in use. */
  retired?: number;
  /** An index or derived edge added to an installation that already had a lock: `repair` backfills it. */
  backfill?: boolean;
}

/** The stored lock: a version that only grows (compare-and-set on it) and every id ever recorded. */
export interface SchemaLock {
  version: number;
  entries: LockEntry[];
}

const KINDS: readonly LockKind[] = ["type", "edge", "index"];
const ID_NAME: Record<LockKind, string> = { type: "typeId", edge: "edgeId", index: "indexId" };

/** lockEntriesOf: the configured schema's ids as lock entries (types, then edges, then indexes). */
export function lockEntriesOf(schema: KvetchSchema): LockEntry[] {
  return [
    ...schema.objects.map((def): LockEntry => ({ kind: "type", id: def.typeId, name: def.name, shape: "" })),
    ...schema.edges.map(
      (def): LockEntry => ({ kind: "edge", id: def.edgeId, name: def.name, shape: def.derived ? `derived ${def.storedOnType}.${def.storedIdAttr}` : "stored" }),
    ),
    ...schema.indexes.map((def): LockEntry => ({ kind: "index", id: def.indexId, name: def.name, shape: `${def.indexedType}.${def.indexedAttr}` })),
  ];
}

/** describeEntry: a definition as messages name it, e.g. `index "byEmail" (indexId 3) over Member.email`. */
export function describeEntry(entry: LockEntry): string {
  const base = `${entry.kind} "${entry.name}" (${ID_NAME[entry.kind]} ${entry.id})`;
  if (entry.kind === "index") return `${base} over ${entry.shape}`;
  if (entry.kind === "edge") return entry.shape === "stored" ? `stored ${base}` : `derived ${base} from ${entry.shape.slice("derived ".length)}`;
  return base;
}

const keyOf = (entry: { kind: LockKind; id: number }): string => `${entry.kind}/${entry.id}`;

/**
 * lockConflicts: every way `configured` disagrees with `stored` — an id recorded with another name or shape
 * (in use or retired), and a name in use recorded under another id (an id changed). Each names both
 * definitions. Empty when the configured schema only adds, keeps or leaves out ids.
 */
export function lockConflicts(stored: SchemaLock, configured: readonly LockEntry[]): string[] {
  const byKey = new Map(stored.entries.map((entry) => [keyOf(entry), entry]));
  const conflicts: string[] = [];
  for (const entry of configured) {
    const held = byKey.get(keyOf(entry));
    if (held !== undefined && (held.name !== entry.name || held.shape !== entry.shape)) {
      conflicts.push(
        held.retired === undefined
          ? `${ID_NAME[entry.kind]} ${entry.id} is stored as ${describeEntry(held)} but configured as ${describeEntry(entry)}: ` +
              `the stored rows under it would be read as the configured one; give ${entry.name} a new ${ID_NAME[entry.kind]}`
          : `${ID_NAME[entry.kind]} ${entry.id} was ${describeEntry(held)}, retired at schema lock version ${held.retired}, and is configured ` +
              `as ${describeEntry(entry)}: a retired id is never reused (rows under it may remain); give ${entry.name} a new ${ID_NAME[entry.kind]}`,
      );
    }
    const moved = stored.entries.find((other) => other.kind === entry.kind && other.name === entry.name && other.id !== entry.id && other.retired === undefined);
    if (moved !== undefined) {
      conflicts.push(
        `${entry.kind} "${entry.name}" is stored as ${describeEntry(moved)} but configured as ${describeEntry(entry)}: its stored rows ` +
          `would be left behind under ${ID_NAME[entry.kind]} ${moved.id}; keep ${ID_NAME[entry.kind]} ${moved.id}`,
      );
    }
  }
  return conflicts;
}

/**
 * nextLock: the lock after a migrate with `configured` (which has no conflicts): configured ids in use (a
 * retired one with its own meaning back in use), left-out ids retired at the new version, new ids added —
 * an index or derived edge new to an existing lock marked for backfill. The same lock (by text) when nothing
 * changed. `stored` null: the first lock, version 1.
 */
export function nextLock(stored: SchemaLock | null, configured: readonly LockEntry[]): SchemaLock {
  const version = (stored?.version ?? 0) + 1;
  const inUse = new Map(configured.map((entry) => [keyOf(entry), entry]));
  const entries: LockEntry[] = [];
  for (const held of stored?.entries ?? []) {
    const used = inUse.get(keyOf(held));
    inUse.delete(keyOf(held));
    if (used !== undefined) entries.push({ kind: held.kind, id: held.id, name: held.name, shape: held.shape, ...(held.backfill ? { backfill: true } : {}) });
    else entries.push({ ...held, retired: held.retired ?? version });
  }
  for (const entry of inUse.values()) {
    const backfill = stored !== null && (entry.kind === "index" || entry.shape.startsWith("derived "));
    entries.push({ kind: entry.kind, id: entry.id, name: entry.name, shape: entry.shape, ...(backfill ? { backfill: true } : {}) });
  }
  entries.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.id - b.id);
  const next = { version, entries };
  return stored !== null && encodeSchemaLock({ ...next, version: stored.version }) === encodeSchemaLock(stored) ? stored : next;
}

/**
 * withoutBackfill: the lock once a full repair with the `configured` schema has passed every object: the
 * entries it knew with the same meaning are filled (an entry it did not know stays marked). The same lock
 * when none of them waited.
 */
export function withoutBackfill(lock: SchemaLock, configured: readonly LockEntry[]): SchemaLock {
  const filled = new Set(configured.map((entry) => `${keyOf(entry)}/${entry.name}/${entry.shape}`));
  const isFilled = (entry: LockEntry): boolean => entry.backfill === true && filled.has(`${keyOf(entry)}/${entry.name}/${entry.shape}`);
  if (!lock.entries.some(isFilled)) return lock;
  return { version: lock.version + 1, entries: lock.entries.map(({ backfill, ...entry }) => (backfill && !isFilled({ ...entry, backfill }) ? { ...entry, backfill } : entry)) };
}

/** encodeSchemaLock: the lock as stored (JSON, fixed key order). */
export function encodeSchemaLock(lock: SchemaLock): string {
  return JSON.stringify({
    version: lock.version,
    entries: lock.entries.map(({ kind, id, name, shape, retired, backfill }) => ({ kind, id, name, shape, retired, backfill })),
  });
}

/** decodeSchemaLock: a stored lock, checked; `where` names the shard. */
export function decodeSchemaLock(text: string, where: string): SchemaLock {
  let raw: Partial<SchemaLock>;
  try {
    raw = JSON.parse(text) as Partial<SchemaLock>;
  } catch {
    raw = {};
  }
  const valid =
    Number.isInteger(raw.version) &&
    Array.isArray(raw.entries) &&
    raw.entries.every((e) => KINDS.includes(e?.kind) && Number.isInteger(e.id) && typeof e.name === "string" && typeof e.shape === "string");
  if (!valid) throw schemaLockError(`${where}: the stored schema lock is malformed; restore the shard's kvetch_topology row "schema" from a backup`);
  return raw as SchemaLock;
}

/** A schema lock refusal (BAD_SCHEMA: the schema, not the data, is wrong): internal, a GraphQL client sees it masked. */
export function schemaLockError(message: string): KvetchError {
  return markInternal(new KvetchError("BAD_SCHEMA", message));
}

/** The one error of a refused schema: every conflict on its own line. */
export function conflictError(conflicts: readonly string[], version: number): KvetchError {
  return schemaLockError(
    `the configured schema changes ids the store has recorded (schema lock version ${version}); nothing was read or written:\n  - ${conflicts.join("\n  - ")}`,
  );
}
