// Shapes as the decoder uses them: each shape's keys with what the shape fixes, worked out once per shape
// list and kept for the process with the list's parsed text (the same few lists recur in every plan), and
// the generated setter of each key layout (fillers.ts).

import { BadPlan, Tag, type Encoded, type Shape } from "./encoded.js";
import { fillerFor, fixedKind, madeFiller, type FixedKind, type Filler } from "./fillers.js";
import { sha256 } from "./fingerprint.js";

/** Marks a key whose value each object writes (rather than its shape). */
export const WRITTEN: unique symbol = Symbol("written");
/** Marks a key whose value each object writes as the one scalar of a plain array. */
export const SINGLE: unique symbol = Symbol("single");
/** Marks a key whose value each object writes as the one string of a plain array, by its index in the body's strings. */
export const SINGLE_TEXT: unique symbol = Symbol("single text");

export type FieldMark = typeof WRITTEN | typeof SINGLE | typeof SINGLE_TEXT;

export interface ShapePlan {
  readonly keys: readonly string[];
  readonly fixed: ReadonlyArray<Encoded | FieldMark>;
  readonly written: number;
  /**
   * The generated setter of this key layout (fillers.ts), or null: the loop in decodeFields. Made by
   * tierUp on the shape's GENERATE_AT-th import, never on its first (see TierUp in spec/plan-export.md).
   */
  fill: Filler | null;
  /** The layout fillerFor generates the setter of: per key, the fixed value's kind or how it is written. */
  readonly layout: ReadonlyArray<FixedKind | "written" | "single" | "singleText">;
  /** How many imports used this shape, and the last of them (its decoder's serial number). */
  imports: number;
  lastImport: number;
  /** The class whose steps of this shape hold exactly their kind's fields, and its kind (StepLayout). */
  keysCheckedFor: object | null;
  keysCheckedKind: string | null;
  /** The keys its objects write, for the checks of a run's later steps (StepLayout), once worked out. */
  followerKeys?: object | null;
  followerKeysFor?: object | null;
}

const NONE: never[] = [];

/** A plain array (tag 0) of exactly one scalar. */
export function isSingle(value: Encoded | undefined): boolean {
  return Array.isArray(value) && value.length === 2 && value[0] === Tag.Array && (value[1] === null || typeof value[1] !== "object");
}

/** A key an imported object may be given: a string, never one that would reach its prototype. */
function isFieldName(key: unknown): boolean {
  return typeof key === "string" && key !== "__proto__";
}

/**
 * The import of a shape at which its generated setter is made: code made and compiled
 * for one use costs more than the loop it replaces (a fresh process's first import of a plan), so a
 * layout gets its code when a second import uses it.
 */
export const GENERATE_AT = 2;

/**
 * spec: TierUp — counts an import's use of a shape (once per import: `serial` is its decoder's number); at
 * its first, takes the setter the process already made for its key layout, if any; at its GENERATE_AT-th,
 * makes it (both only when generated code is allowed).
 */
export function tierUp(plan: ShapePlan, serial: number, generateCode: boolean): void {
  plan.lastImport = serial;
  const imports = ++plan.imports;
  if (!generateCode || plan.fill !== null) return;
  if (imports === 1) plan.fill = madeFiller(plan.keys, plan.layout);
  else if (imports === GENERATE_AT) plan.fill = fillerFor(plan.keys, plan.layout);
}

/**
 * A run of at least this many like steps (one header in the step stream: the field reads of one object) has
 * its shape's setter made on its first import: filling them with it costs less than the loop, code included.
 */
export const RUN_SETTER_AT = 16;

/** TierUp's exception for a long run: its shape gets its setter now (when generated code is allowed). */
export function runSetter(plan: ShapePlan, generateCode: boolean): void {
  if (plan.fill === null && generateCode) plan.fill = fillerFor(plan.keys, plan.layout);
}

/** spec: ShapePlanOf — a shape's keys with, per key, the value the shape fixes, WRITTEN, SINGLE or SINGLE_TEXT, and its layout. */
export function shapePlanOf(shapes: readonly Shape[], plans: Array<ShapePlan | undefined>, shapeId: Encoded | undefined): ShapePlan {
  const shape = typeof shapeId === "number" ? shapes[shapeId] : undefined;
  if (!Array.isArray(shape) || !Array.isArray(shape[0])) throw new BadPlan(`an object names shape ${String(shapeId)}, which the plan does not hold`);
  const [keys, fixedAt = NONE, fixedValues = NONE, singleAt = NONE] = shape;
  const malformed = (): never => {
    throw new BadPlan(`shape ${String(shapeId)} is malformed`);
  };
  if (!Array.isArray(fixedAt) || !Array.isArray(fixedValues) || fixedValues.length !== fixedAt.length || !Array.isArray(singleAt) || !keys.every(isFieldName)) malformed();
  const fixed: Array<Encoded | FieldMark> = keys.map(() => WRITTEN);
  // Each fixed position names a key once (a position past the keys would make the key list sparse and long).
  for (let f = 0; f < fixedAt.length; f++) {
    const k = fixedAt[f]!;
    if (!Number.isInteger(k) || fixed[k] !== WRITTEN) malformed();
    fixed[k] = fixedValues[f]!;
  }
  // A single key k is listed as k, or as -(k + 1) when its string is written by its index in the body's strings.
  for (const entry of singleAt) {
    const k = entry < 0 ? -entry - 1 : entry;
    if (!Number.isInteger(k) || fixed[k] !== WRITTEN) malformed();
    fixed[k] = entry < 0 ? SINGLE_TEXT : SINGLE;
  }
  const layout = fixed.map((v) => (v === WRITTEN ? "written" : v === SINGLE ? "single" : v === SINGLE_TEXT ? "singleText" : fixedKind(v)));
  const plan: ShapePlan = { keys, fixed, written: keys.length - fixedAt.length, fill: null, layout, imports: 0, lastImport: 0, keysCheckedFor: null, keysCheckedKind: null, followerKeys: null, followerKeysFor: null };
  plans[shapeId as number] = plan;
  return plan;
}

/** A body's shape list (its JSON text) parsed once per process, with what decoders work out per shape. */
interface ShapeTable {
  readonly text: string;
  readonly shapes: readonly Shape[];
  /** Per shape, once worked out: for decoders that may generate code, and for those that may not. */
  readonly plans: readonly [Array<ShapePlan | undefined>, Array<ShapePlan | undefined>];
}

/**
 * Shape lists repeat across plans (they are the step kinds' key lists): parsed once per distinct text, found
 * by the short key the body gives its text (a lookup by the text itself would hash it, kilobytes, on every
 * import) and used only when the text is the same.
 */
const shapeTables = new Map<string, ShapeTable>();
const MAX_SHAPE_TABLES = 1000;

/** The key a body gives its shapes' text: the first 16 hex digits of its SHA-256 (see ShapeTableOf). */
export function shapesKeyOf(text: string): string {
  return sha256(text).slice(0, 16);
}

/**
 * spec: ShapeTableOf — the shapes written as `text` (a JSON array), parsed once per process and kept, under
 * `key`, with what decoding works out per shape; BadPlan when the text is not a list of shapes. A kept table
 * is used only if its text is this one; otherwise the text is parsed for this import.
 */
export function shapeTableOf(text: unknown, key: unknown, generateCode: boolean): { shapes: readonly Shape[]; shapePlans: Array<ShapePlan | undefined> } {
  if (typeof text !== "string" || typeof key !== "string") throw new BadPlan("the plan's shapes are not a JSON text with its key");
  let table = shapeTables.get(key);
  if (table === undefined || table.text !== text) {
    let shapes: unknown;
    try {
      shapes = JSON.parse(text);
    } catch {
      throw new BadPlan("the plan's shapes are not valid JSON");
    }
    if (!Array.isArray(shapes)) throw new BadPlan("the plan's shapes are not a list");
    const kept = table === undefined && shapeTables.size < MAX_SHAPE_TABLES;
    table = { text, shapes: shapes as Shape[], plans: [[], []] };
    if (kept) shapeTables.set(key, table);
  }
  return { shapes: table.shapes, shapePlans: table.plans[generateCode ? 1 : 0] };
}
