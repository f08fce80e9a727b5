// Schema in code: object types, edges and indexes with their numeric ids, validated once by defineSchema.
// Lookups by name fail with the list of valid names. Never changes after definition; never does I/O.

import { KvetchError } from "./errors.js";

export interface KvetchObjectTypeConfig {
  name: string;
  typeId: number;
}

export interface KvetchEdgeConfig {
  name: string;
  edgeId: number;
  /** Type of the parent (documentation for stored edges; checked by nothing at write time). */
  fromType?: string;
  /** Type of the child; for a derived edge it must equal storedOnType (and defaults to it). */
  toType?: string;
  /** Derived edge: the attribute of the child's data holding the parent id. */
  storedIdAttr?: string;
  /** Derived edge: the type of the child objects that hold storedIdAttr. */
  storedOnType?: string;
  /**
   * Derived edge: what deleting a parent does to its children (deleteRules.ts). Absent: nothing — the
   * children keep the stored id of an object that no longer exists.
   */
  onDelete?: KvetchDeleteRule;
}

/** A derived edge's delete rule: refuse the delete, delete the children too, or clear their stored id. */
export type KvetchDeleteRule = "restrict" | "cascade" | "setNull";

/** The delete rules defineSchema takes, in the order messages list them. */
export const DELETE_RULES: readonly KvetchDeleteRule[] = ["restrict", "cascade", "setNull"];

export interface KvetchIndexConfig {
  name: string;
  indexId: number;
  indexedType: string;
  indexedAttr: string;
  /** At most one object per value (spec/kvetch-storage.md §6.7): enforced by a claim on the value's shard. */
  unique?: boolean;
}

export interface KvetchSchemaConfig {
  objects: readonly KvetchObjectTypeConfig[];
  edges?: readonly KvetchEdgeConfig[];
  indexes?: readonly KvetchIndexConfig[];
}

export interface KvetchObjectTypeDef {
  readonly name: string;
  readonly typeId: number;
  /** Derived edges whose child is of this type. */
  readonly derivedEdges: readonly KvetchEdgeDef[];
  /** Indexes over objects of this type. */
  readonly indexes: readonly KvetchIndexDef[];
}

export interface KvetchEdgeDef {
  readonly name: string;
  readonly edgeId: number;
  readonly fromType: string | null;
  readonly toType: string | null;
  /** Set for derived edges only (together with storedOnType). */
  readonly storedIdAttr: string | null;
  readonly storedOnType: string | null;
  readonly derived: boolean;
  /** The delete rule of a derived edge; null: none (a deleted parent's children keep its id). */
  readonly onDelete: KvetchDeleteRule | null;
}

export interface KvetchIndexDef {
  readonly name: string;
  readonly indexId: number;
  readonly indexedType: string;
  readonly indexedAttr: string;
  /** Whether at most one object may hold each value (unique.ts claims it before the canonical write). */
  readonly unique: boolean;
}

/** A validated schema: the output of defineSchema, read by Kvetch and by the load steps. */
export class KvetchSchema {
  readonly objects: readonly KvetchObjectTypeDef[];
  readonly edges: readonly KvetchEdgeDef[];
  readonly indexes: readonly KvetchIndexDef[];
  private readonly typesByName = new Map<string, KvetchObjectTypeDef>();
  private readonly typesById = new Map<number, KvetchObjectTypeDef>();
  private readonly edgesByName = new Map<string, KvetchEdgeDef>();
  private readonly edgesById = new Map<number, KvetchEdgeDef>();
  private readonly indexesByName = new Map<string, KvetchIndexDef>();
  private readonly indexesById = new Map<number, KvetchIndexDef>();

  /** Use defineSchema; the constructor trusts its (already validated) input. */
  constructor(objects: KvetchObjectTypeDef[], edges: KvetchEdgeDef[], indexes: KvetchIndexDef[]) {
    this.objects = objects;
    this.edges = edges;
    this.indexes = indexes;
    for (const def of objects) {
      this.typesByName.set(def.name, def);
      this.typesById.set(def.typeId, def);
    }
    for (const def of edges) {
      this.edgesByName.set(def.name, def);
      this.edgesById.set(def.edgeId, def);
    }
    for (const def of indexes) {
      this.indexesByName.set(def.name, def);
      this.indexesById.set(def.indexId, def);
    }
  }

  /** The object type called `name`, or an error listing the valid names. */
  objectType(name: unknown, where: string): KvetchObjectTypeDef {
    const def = typeof name === "string" ? this.typesByName.get(name) : undefined;
    if (!def) throw unknownName("object type", name, where, this.typesByName.keys());
    return def;
  }

  /** The edge called `name`, or an error listing the valid names. */
  edge(name: unknown, where: string): KvetchEdgeDef {
    const def = typeof name === "string" ? this.edgesByName.get(name) : undefined;
    if (!def) throw unknownName("edge", name, where, this.edgesByName.keys());
    return def;
  }

  /** The index called `name`, or an error listing the valid names. */
  index(name: unknown, where: string): KvetchIndexDef {
    const def = typeof name === "string" ? this.indexesByName.get(name) : undefined;
    if (!def) throw unknownName("index", name, where, this.indexesByName.keys());
    return def;
  }

  /** The edge called `name`, or undefined. */
  edgeNamed(name: string): KvetchEdgeDef | undefined {
    return this.edgesByName.get(name);
  }

  /** The index called `name`, or undefined. */
  indexNamed(name: string): KvetchIndexDef | undefined {
    return this.indexesByName.get(name);
  }

  typeById(typeId: number): KvetchObjectTypeDef | undefined {
    return this.typesById.get(typeId);
  }

  edgeById(edgeId: number): KvetchEdgeDef | undefined {
    return this.edgesById.get(edgeId);
  }

  indexById(indexId: number): KvetchIndexDef | undefined {
    return this.indexesById.get(indexId);
  }
}

function unknownName(kind: string, name: unknown, where: string, valid: Iterable<string>): KvetchError {
  const names = [...valid].map((n) => JSON.stringify(n));
  const shown = typeof name === "string" ? JSON.stringify(name) : String(name);
  return new KvetchError(
    "UNKNOWN_NAME",
    `${where}: unknown ${kind} ${shown}; the schema defines ${names.length ? names.join(", ") : "none"}`,
  );
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ID = 2147483647; // ids are stored in INT UNSIGNED columns; kept within signed range for portability

/**
 * defineSchema: validates names (unique, identifier-like), ids (unique positive integers per kind) and
 * references (types named by edges and indexes exist), and links each type to its derived edges and indexes.
 */
export function defineSchema(config: KvetchSchemaConfig): KvetchSchema {
  if (config === null || typeof config !== "object" || !Array.isArray(config.objects)) {
    throw new KvetchError("BAD_SCHEMA", "defineSchema needs { objects: [{ name, typeId }], edges?: [...], indexes?: [...] }");
  }
  refuseUnknownKeys(config, "schema", "defineSchema's config");
  const edgeConfigs = config.edges ?? [];
  const indexConfigs = config.indexes ?? [];
  if (!Array.isArray(edgeConfigs)) throw new KvetchError("BAD_SCHEMA", "defineSchema: edges must be an array");
  if (!Array.isArray(indexConfigs)) throw new KvetchError("BAD_SCHEMA", "defineSchema: indexes must be an array");

  const typeNames = new Set<string>();
  const objects: { name: string; typeId: number; derivedEdges: KvetchEdgeDef[]; indexes: KvetchIndexDef[] }[] = [];
  checkUnique("objects", config.objects, "typeId", (item) => {
    typeNames.add(item.name);
    objects.push({ name: item.name, typeId: item.typeId, derivedEdges: [], indexes: [] });
  });

  const checkType = (value: unknown, where: string, field: string): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string" || !typeNames.has(value)) {
      throw new KvetchError(
        "BAD_SCHEMA",
        `${where}.${field} is ${JSON.stringify(value)}, which is not an object type; defined: ${[...typeNames].join(", ") || "none"}`,
      );
    }
    return value;
  };

  const edges: KvetchEdgeDef[] = [];
  checkUnique("edges", edgeConfigs, "edgeId", (item, where) => {
    const fromType = checkType(item.fromType, where, "fromType");
    let toType = checkType(item.toType, where, "toType");
    const storedOnType = checkType(item.storedOnType, where, "storedOnType");
    const storedIdAttr = item.storedIdAttr ?? null;
    if ((storedIdAttr === null) !== (storedOnType === null)) {
      throw new KvetchError(
        "BAD_SCHEMA",
        `${where} (${item.name}) has only one of storedIdAttr and storedOnType; a derived edge needs both, a stored edge neither`,
      );
    }
    if (storedIdAttr !== null) {
      if (typeof storedIdAttr !== "string" || storedIdAttr.length === 0) {
        throw new KvetchError("BAD_SCHEMA", `${where}.storedIdAttr must be a non-empty string`);
      }
      if (toType !== null && toType !== storedOnType) {
        throw new KvetchError(
          "BAD_SCHEMA",
          `${where} (${item.name}): toType ${toType} differs from storedOnType ${storedOnType}; the children of a derived edge are the objects that store the id`,
        );
      }
      toType = storedOnType;
    }
    const onDelete = checkDeleteRule(item, where, storedIdAttr !== null);
    edges.push(
      Object.freeze({
        name: item.name,
        edgeId: item.edgeId,
        fromType,
        toType,
        storedIdAttr,
        storedOnType,
        derived: storedIdAttr !== null,
        onDelete,
      }),
    );
  });

  const indexes: KvetchIndexDef[] = [];
  checkUnique("indexes", indexConfigs, "indexId", (item, where) => {
    const indexedType = checkType(item.indexedType, where, "indexedType");
    if (indexedType === null) throw new KvetchError("BAD_SCHEMA", `${where} (${item.name}) needs indexedType`);
    if (typeof item.indexedAttr !== "string" || item.indexedAttr.length === 0) {
      throw new KvetchError("BAD_SCHEMA", `${where} (${item.name}) needs indexedAttr, a non-empty string`);
    }
    if (item.unique !== undefined && typeof item.unique !== "boolean") {
      throw new KvetchError("BAD_SCHEMA", `${where} (${item.name}).unique is ${JSON.stringify(item.unique)}; it must be true or false`);
    }
    const unique = item.unique === true;
    indexes.push(Object.freeze({ name: item.name, indexId: item.indexId, indexedType, indexedAttr: item.indexedAttr, unique }));
  });

  for (const edge of edges) {
    if (edge.derived) objects.find((o) => o.name === edge.storedOnType)!.derivedEdges.push(edge);
  }
  for (const index of indexes) objects.find((o) => o.name === index.indexedType)!.indexes.push(index);
  return new KvetchSchema(
    objects.map((o) => Object.freeze({ ...o, derivedEdges: Object.freeze(o.derivedEdges), indexes: Object.freeze(o.indexes) })),
    edges,
    indexes,
  );
}

/**
 * checkDeleteRule: an edge's onDelete is one of DELETE_RULES, and only on a derived edge (a stored edge's
 * children hold no id of the parent, so there is nothing for a rule to follow).
 */
function checkDeleteRule(item: KvetchEdgeConfig, where: string, derived: boolean): KvetchDeleteRule | null {
  const rule = item.onDelete;
  if (rule === undefined) return null;
  if (!DELETE_RULES.includes(rule)) {
    throw new KvetchError("BAD_SCHEMA", `${where} (${item.name}).onDelete is ${JSON.stringify(rule)}; it must be one of ${DELETE_RULES.map((r) => JSON.stringify(r)).join(", ")}, or absent`);
  }
  if (!derived) {
    throw new KvetchError(
      "BAD_SCHEMA",
      `${where} (${item.name}) has onDelete ${JSON.stringify(rule)} but is a stored edge; delete rules belong to derived edges (storedIdAttr and storedOnType), whose children store the parent's id`,
    );
  }
  return rule;
}

/** The keys each part of a schema config takes; any other key is a typo and refused (it would be dropped). */
const KNOWN_KEYS = {
  schema: ["objects", "edges", "indexes"],
  objects: ["name", "typeId"],
  edges: ["name", "edgeId", "fromType", "toType", "storedIdAttr", "storedOnType", "onDelete"],
  indexes: ["name", "indexId", "indexedType", "indexedAttr", "unique"],
} as const;

/** Refuses a key of `value` that `kind` does not take, naming the key, where it is and the keys it takes. */
function refuseUnknownKeys(value: object, kind: keyof typeof KNOWN_KEYS, where: string): void {
  const known: readonly string[] = KNOWN_KEYS[kind];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    throw new KvetchError(
      "BAD_SCHEMA",
      `${where} has the unknown key ${JSON.stringify(key)}; it would be ignored, so it is refused. Known keys: ${known.join(", ")}`,
    );
  }
}

function checkUnique<T extends { name: string }>(
  kind: "objects" | "edges" | "indexes",
  items: readonly T[],
  idField: keyof T & string,
  add: (item: T, where: string) => void,
): void {
  const names = new Map<string, number>();
  const ids = new Map<number, number>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const where = `${kind}[${i}]`;
    if (item === null || typeof item !== "object") throw new KvetchError("BAD_SCHEMA", `${where} must be an object`);
    refuseUnknownKeys(item, kind, item.name === undefined ? where : `${where} (${String(item.name)})`);
    if (typeof item.name !== "string" || !NAME_PATTERN.test(item.name)) {
      throw new KvetchError(
        "BAD_SCHEMA",
        `${where}.name is ${JSON.stringify(item.name)}; names are identifiers (letters, digits, _; not starting with a digit)`,
      );
    }
    const id = item[idField] as unknown;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > MAX_ID) {
      throw new KvetchError("BAD_SCHEMA", `${where} (${item.name}).${idField} is ${String(id)}; it must be an integer from 1 to ${MAX_ID}`);
    }
    const sameName = names.get(item.name);
    if (sameName !== undefined) {
      throw new KvetchError("BAD_SCHEMA", `${where} reuses the name ${JSON.stringify(item.name)} of ${kind}[${sameName}]`);
    }
    const sameId = ids.get(id);
    if (sameId !== undefined) {
      throw new KvetchError(
        "BAD_SCHEMA",
        `${where} (${item.name}) reuses ${idField} ${id} of ${kind}[${sameId}] (${items[sameId]!.name}); ids are stored, so each must be unique`,
      );
    }
    names.set(item.name, i);
    ids.set(id, i);
    add(item, where);
  }
}
