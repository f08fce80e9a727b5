// The own fields of the bundled step kinds, as their constructors (and optimizations) leave them: which
// fields a step of each kind holds, what each holds, how many dependencies it has, which of them it takes
// as bare (global) values and which flags it accepts from each. An imported step of one of these kinds is checked against its kind's entry, so a
// stored plan cannot hand a step's execute a field it never has (a missing path, a dependency index past
// its dependencies). A kind registered by an application is checked by the Step fields alone (checkPlan.ts)
// and by its own validatePlan.

import { isAbstractType, isObjectType, type GraphQLField, type GraphQLOutputType } from "graphql";
import type { PlanValidationContext, Step } from "../step.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { fieldDefOf } from "../planning/outputPlan.js";
import { schemaLookups } from "./codec.js";
import { bad, isDocumentNode, isFieldContext, named, ownKeyCount, type StepLayout } from "./checks.js";
import { stepKindOf } from "../stepRegistry.js";
import { listDepthOf } from "../planning/steps/resolver.js";

/** What a field must hold, given the step and its plan. */
type Holds = (value: unknown, step: Step, plan: OperationPlan) => boolean;

interface KindEntry {
  /** The class's own fields besides the Step class's, and what each holds. */
  readonly fields: { readonly [key: string]: Holds };
  /** The keys of `fields`, listed on first use, and their checks in the same order. */
  keys?: readonly string[];
  holds?: readonly Holds[];
  /** The number of dependencies, or a check of them. */
  readonly deps: number | ((step: Step) => boolean);
  /** Dependencies (by index) taken as bare values: they must be global and handed over as such. */
  readonly global?: readonly number[];
  /**
   * Whether dependency `k` must be taken per entry (a list of values); default: every dependency not in
   * `global`. A kind whose dependencies may be taken either way checks them in `also` and says false.
   */
  readonly perEntry?: (step: Step & Record<string, unknown>, k: number) => boolean;
  /** The flags dependency `k` accepts, when not FLAG_NULL (what addDependency gives by default). */
  readonly accepts?: (step: Step & Record<string, unknown>, k: number) => number;
  /** A check across fields and dependencies: the problem, or null. */
  readonly also?: (step: Step & Record<string, unknown>, plan: OperationPlan) => string | null;
}

const any: Holds = () => true;
const string: Holds = (v) => typeof v === "string";
const boolean: Holds = (v) => typeof v === "boolean";
const fn: Holds = (v) => typeof v === "function";
const oneOf =
  (...values: unknown[]): Holds =>
  (v) =>
    values.includes(v);
const path: Holds = (v) => {
  if (!Array.isArray(v)) return false;
  for (let k = 0; k < v.length; k++) if (typeof v[k] !== "string" && typeof v[k] !== "number") return false;
  return true;
};
const strings: Holds = (v) => Array.isArray(v) && v.every((k) => typeof k === "string");
const isError: Holds = (v) => v instanceof Error;
const schemaField: Holds = (v, _s, plan) => schemaLookups(plan.schema).nameOfField.has(v as GraphQLField<unknown, unknown>);
const fieldNode: Holds = (v, _s, plan) => isDocumentNode(plan, v) && v.kind === "Field";
const objectType: Holds = (v, _s, plan) => isObjectType(v) && plan.schema.getType(v.name) === v;
const abstractType: Holds = (v, _s, plan) => isAbstractType(v) && plan.schema.getType(v.name) === v;
const fieldContext: Holds = (v, _s, plan) => isFieldContext(plan, v);
/** A dependency's index, or -1 (`optional`) for none. */
const dependencyIndex =
  (optional: boolean): Holds =>
  (v, step) =>
    typeof v === "number" && Number.isInteger(v) && (optional ? v >= -1 : v >= 0) && v < step.dependencies.length;
/** Steps of the plan of the given kinds. */
const stepsOf =
  (...kinds: string[]): Holds =>
  (v, _s, plan) =>
    Array.isArray(v) && v.every((s) => plan.steps[(s as Step)?.id] === s && kinds.includes(stepKindOf(s as Step)!));

/** A Kvetch list's settings: `{ mode, verify }` and, when set, `cursors`. */
const listSettings: Holds = (v) => {
  if (v === null || typeof v !== "object") return false;
  const s = v as { mode?: unknown; verify?: unknown; cursors?: unknown };
  const keys = Object.keys(s);
  return (
    keys.every((k) => k === "mode" || k === "verify" || k === "cursors") &&
    (s.mode === "list" || s.mode === "page") &&
    typeof s.verify === "boolean" &&
    (s.cursors === undefined || typeof s.cursors === "boolean")
  );
};

/** The dependency indices of a Kvetch list: each dependency named once, the store taken as a bare value. */
function kvetchListIndices(step: Step & Record<string, unknown>): string | null {
  const named = ["keyIndex", "storeIndex", "firstIndex", "afterIndex", "prefetchIndex"].map((key) => step[key] as number).filter((i) => i >= 0);
  if (new Set(named).size !== named.length || named.length !== step.dependencies.length) return "its dependency indices do not name each dependency once";
  const global = step.dependencyIsGlobal;
  if (global[step.storeIndex as number] !== true) return "its store is not a global dependency";
  // The keys, and the items a node load fetched ahead on, are per entry: lists of values, never one value.
  if (global[step.keyIndex as number] !== false || ((step.prefetchIndex as number) >= 0 && global[step.prefetchIndex as number] !== false)) return "its keys are taken as a global value";
  return null;
}

function kvetchList(idKey: string, factoryName: string): KindEntry {
  return {
    fields: {
      name: string,
      settings: listSettings,
      limitCap: (v) => v === null || (typeof v === "number" && Number.isInteger(v) && v >= 0),
      idsOnly: boolean,
      keyIndex: dependencyIndex(false),
      storeIndex: dependencyIndex(false),
      firstIndex: dependencyIndex(true),
      afterIndex: dependencyIndex(true),
      prefetchIndex: dependencyIndex(true),
      idKey: oneOf(idKey),
      factoryName: oneOf(factoryName),
    },
    deps: (step) => step.dependencies.length >= 2,
    // The keys and the store are checked in kvetchListIndices; `first` and `after` may be taken either way.
    perEntry: () => false,
    // The items a node load fetched ahead on are read whatever their flags (ACCEPT_ANY).
    accepts: (step, k) => (k === step.prefetchIndex ? FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED : FLAG_NULL),
    also: kvetchListIndices,
  };
}

const OUTCOMES = ["null", "emptyList"];
const NO_INDICES: readonly number[] = [];
const FLAG_NULL = 1;
const FLAG_ERROR = 2;
const FLAG_INHIBITED = 4;

const KINDS: { readonly [kind: string]: KindEntry } = {
  Access: { fields: { path }, deps: 1 },
  Constant: { fields: { value: any }, deps: 0 },
  Context: { fields: {}, deps: 0 },
  RootValue: { fields: {}, deps: 0 },
  Item: { fields: { listReason: (v, step, plan) => v === plan.layers[step.layerId]!.reason && plan.layers[step.layerId]!.itemStep === step }, deps: 0 },
  PlanningError: { fields: { error: isError }, deps: 0 },
  Each: { fields: { $list: (v, step) => v === step.dependencies[0], callback: fn }, deps: 1 },
  FieldArguments: {
    fields: { fieldDef: schemaField, fieldNode },
    deps: 0,
    also: (step) => ((step.fieldNode as { name: { value: string } }).name.value === (step.fieldDef as GraphQLField<unknown, unknown>).name ? null : "its field node selects another field"),
  },
  Resolver: {
    fields: { field: fieldContext, fieldDef: schemaField, resolve: (v) => v === null || typeof v === "function", listDepth: any },
    deps: 1,
    also: (step, plan) => {
      const field = step.fieldDef as GraphQLField<unknown, unknown>;
      const context = step.field as { parentType: Parameters<typeof fieldDefOf>[1]; fieldName: string };
      if (fieldDefOf(plan.schema, context.parentType, context.fieldName) !== field) return "its field is not its context's";
      if (step.resolve !== (field.resolve ?? null) || step.listDepth !== listDepthOf(field.type)) return "its resolver or list depth is not its field's";
      return null;
    },
  },
  IsTypeOf: { fields: { type: objectType, field: fieldContext }, deps: 1 },
  ResolveType: { fields: { abstractType, field: fieldContext }, deps: 1 },
  RuntimeType: { fields: { abstractType, field: fieldContext }, deps: 2 },
  AssertNotNull: { fields: { message: string }, deps: 1 },
  ExitIf: { fields: { predicate: fn, outcome: (v) => OUTCOMES.includes(v as string) || v instanceof Error }, deps: 1 },
  First: { fields: {}, deps: 1 },
  Last: { fields: {}, deps: 1 },
  InhibitOnNull: { fields: {}, deps: 1 },
  Lambda: { fields: { fn }, deps: 1 },
  SideEffect: { fields: { fn }, deps: 1 },
  List: { fields: {}, deps: () => true },
  Object: { fields: { keys: strings }, deps: (step) => step.dependencies.length === ((step as unknown as { keys: unknown[] }).keys?.length ?? -1) },
  Load: { fields: { callback: fn, many: boolean }, deps: 2, global: [1] },
  Trap: {
    fields: { inhibited: oneOf(...OUTCOMES, "pass"), error: oneOf(...OUTCOMES, "pass") },
    deps: 1,
    accepts: (step) => FLAG_NULL | (step.inhibited !== "pass" ? FLAG_INHIBITED : 0) | (step.error !== "pass" ? FLAG_ERROR : 0),
  },
  LoadObject: { fields: { type: string }, deps: 2, global: [1] },
  LoadedId: { fields: {}, deps: 1 },
  // A count fetched ahead by a node load reads the items it was fetched on (dependency 2), whatever their flags.
  EdgeCount: {
    fields: { edge: string, prefetchIndex: (v, step) => (step.dependencies.length === 3 ? v === 2 : v === -1) },
    deps: (step) => step.dependencies.length === 2 || step.dependencies.length === 3,
    global: [1],
    accepts: (_step, k) => (k === 2 ? FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED : FLAG_NULL),
  },
  CreateObject: { fields: { type: string }, deps: 3, global: [1] },
  UpdateObject: { fields: {}, deps: 3, global: [2] },
  DeleteObject: { fields: { type: string }, deps: 2, global: [1] },
  InsertEdge: { fields: { edge: string }, deps: 4, global: [3] },
  LoadEdges: kvetchList("toId", "loadEdges"),
  QueryIndex: kvetchList("targetId", "queryIndex"),
  LoadNodes: {
    fields: {
      type: string,
      prefetches: stepsOf("LoadEdges", "QueryIndex", "EdgeCount"),
      prefetchArguments: (v, step) => Array.isArray(v) && v.every((i) => i === -1 || (Number.isInteger(i) && i >= 3 && i < step.dependencies.length && step.dependencyIsGlobal[i] === true)),
      slim: boolean,
    },
    deps: (step) => step.dependencies.length >= 3,
    global: [2],
    // The list and its keys per entry; the prefetch arguments (3 and on) are global, checked with the field.
    perEntry: (_step, k) => k < 2,
    // A null key reads nothing: its entries skip the call.
    accepts: (_step, k) => (k === 1 ? 0 : FLAG_NULL),
    also: (step) => {
      const list = stepKindOf(step.dependencies[0]!);
      if (list !== "LoadEdges" && list !== "QueryIndex") return "it loads the nodes of a step that is no Kvetch list";
      // A list of ids has no edge objects to build full items from.
      if ((step.dependencies[0] as Step & { idsOnly?: unknown }).idsOnly === true && step.slim !== true) return "it builds full items from a list of ids";
      return (step.prefetchArguments as unknown[]).length === 2 * (step.prefetches as unknown[]).length ? null : "its prefetch arguments do not fit its prefetches";
    },
  },
};

/** A step's own fields besides the Step class's, for messages. */
function ownFields(step: Step): string[] {
  return Object.keys(step).filter((key) => !STEP_KEYS.has(key));
}

/** Fields every step holds through the Step class; the rest of a step's own fields are its class's. */
const STEP_KEYS = new Set(["id", "layerId", "ownerPlan", "dependencies", "dependencyIsGlobal", "dependencyAcceptFlags", "hasSideEffects", "isGlobal", "isAsync", "optimizations", "globalCapable", "inlined"]);

/**
 * The step's kind once its own keys are checked: no own `constructor`, and for a bundled kind exactly the
 * fields its class gives its steps. BadPlan otherwise.
 */
function checkStepKeys(step: Step): string | null {
  // An own `constructor` would hide the step's class from everything that asks it (names, options, kinds).
  if (Object.hasOwn(step, "constructor")) bad(`${named(step)} has a field named constructor`);
  const kind = stepKindOf(step);
  const entry = kind === null ? undefined : KINDS[kind];
  if (entry !== undefined) {
    // The Step class's fields are all there (CheckImportedPlan): the rest must be exactly the kind's.
    const expected = (entry.keys ??= Object.keys(entry.fields));
    let fits = ownKeyCount(step) === STEP_KEYS.size + expected.length;
    for (let k = 0; fits && k < expected.length; k++) fits = Object.hasOwn(step, expected[k]!);
    if (!fits) bad(`${named(step)} has the fields ${ownFields(step).join(", ") || "(none)"}; ${kind} steps have ${expected.join(", ") || "none"}`);
  }
  return kind;
}

/**
 * spec: FollowerChecks — the keys each step of `layout` writes, when a step that repeats its predecessor's header can be checked by
 * them alone (FollowerChecks): none of them is a Step field, and its kind's checks of dependencies and
 * flags read no field (a fixed count, no per-dependency rule). Null otherwise, and for a step whose layout
 * is not known (checked in full). Worked out once per layout and class.
 */
export function followerChecks(step: Step, layout: StepLayout | undefined): FollowerCheck | null {
  if (layout === undefined || layout.keys === undefined || layout.layout === undefined) return null;
  const prototype = Object.getPrototypeOf(step) as object;
  // The step before it had its keys checked against this class (CheckStepData): so did this one.
  if (layout.keysCheckedFor !== prototype) return null;
  if (layout.followerKeysFor === prototype) return (layout.followerKeys as FollowerCheck | null | undefined) ?? null;
  const kind = layout.keysCheckedKind;
  const entry = kind === null ? undefined : KINDS[kind];
  let check: FollowerCheck | null = { kind, keys: [], holds: [], also: entry?.also ?? null, bundled: entry !== undefined };
  if (entry !== undefined && (typeof entry.deps !== "number" || entry.perEntry !== undefined || entry.accepts !== undefined)) check = null;
  for (let k = 0; check !== null && k < layout.keys.length; k++) {
    const how = layout.layout[k];
    if (how !== "written" && how !== "single" && how !== "singleText") continue;
    const key = layout.keys[k]!;
    if (STEP_KEYS.has(key) || (entry !== undefined && !Object.hasOwn(entry.fields, key))) check = null;
    else {
      check.keys.push(key);
      if (entry !== undefined) check.holds.push(entry.fields[key]!);
    }
  }
  layout.followerKeys = check;
  layout.followerKeysFor = prototype;
  return check;
}

/** What a step that repeats its predecessor's header still has checked (followerChecks), per layout and class. */
export interface FollowerCheck {
  readonly kind: string | null;
  /** The keys its objects write, and (for a bundled kind) what each must hold. */
  readonly keys: string[];
  readonly holds: Holds[];
  readonly also: NonNullable<KindEntry["also"]> | null;
  readonly bundled: boolean;
}

/**
 * CheckStepData for a step that repeats its predecessor's header (followerChecks gave `written`): the fields
 * it writes hold what its kind's steps hold, its kind's check across fields, and its own validatePlan.
 */
export function checkFollowerData(plan: OperationPlan, step: Step, validation: PlanValidationContext, check: FollowerCheck): void {
  if (check.bundled) {
    const target = step as Step & Record<string, unknown>;
    const { keys, holds } = check;
    for (let k = 0; k < keys.length; k++) if (!holds[k]!(target[keys[k]!], step, plan)) bad(`the ${keys[k]} of ${named(step)} is not what ${check.kind} steps hold`);
    const problem = check.also === null ? null : check.also(target, plan);
    if (problem !== null) bad(`${named(step)}: ${problem}`);
  }
  try {
    step.validatePlan(validation);
  } catch (error) {
    bad(`${named(step)} does not validate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * spec: CheckStepData — an imported step's own fields: for a bundled kind, exactly the fields its class
 * gives its steps, each holding what it must, its number of dependencies, those it takes as bare values
 * (global) and the flags it accepts from each; for every kind, the step's own validatePlan with the schema's plan context (a Kvetch step's
 * type, edge or index name must be the store schema's). BadPlan naming the step otherwise.
 */
export function checkStepData(plan: OperationPlan, step: Step, validation: PlanValidationContext, layout?: StepLayout): void {
  // Which fields a step holds follows from its class and the layout it was built with: checked for the
  // first step of each (class, layout), then known for the others.
  const prototype = Object.getPrototypeOf(step) as object;
  const known = layout !== undefined && layout.keysCheckedFor === prototype;
  const kind = known ? layout.keysCheckedKind : checkStepKeys(step);
  if (!known && layout !== undefined) {
    layout.keysCheckedFor = prototype;
    layout.keysCheckedKind = kind;
  }
  const entry = kind === null ? undefined : KINDS[kind];
  if (entry !== undefined) {
    const target = step as Step & Record<string, unknown>;
    const expected = entry.keys!;
    const holds = (entry.holds ??= expected.map((key) => entry.fields[key]!));
    for (let k = 0; k < expected.length; k++) if (!holds[k]!(target[expected[k]!], step, plan)) bad(`the ${expected[k]} of ${named(step)} is not what ${kind} steps hold`);
    const deps = entry.deps;
    if (typeof deps === "number" ? step.dependencies.length !== deps : !deps(step)) bad(`${named(step)} has ${step.dependencies.length} dependencies`);
    const global = entry.global ?? NO_INDICES;
    for (let g = 0; g < global.length; g++) if (step.dependencyIsGlobal[global[g]!] !== true) bad(`${named(step)} does not take dependency ${global[g]} as a global value`);
    for (let k = 0; k < step.dependencies.length; k++) {
      const perEntry = entry.perEntry !== undefined ? entry.perEntry(target, k) : !global.includes(k);
      if (perEntry && step.dependencyIsGlobal[k] !== false) bad(`${named(step)} takes dependency ${k} as a global value; ${kind} steps take it per entry`);
      if (step.dependencyAcceptFlags[k] !== (entry.accepts?.(target, k) ?? FLAG_NULL)) bad(`${named(step)} accepts other flags from dependency ${k} than ${kind} steps do`);
    }
    const problem = entry.also?.(target, plan) ?? null;
    if (problem !== null) bad(`${named(step)}: ${problem}`);
  }
  try {
    step.validatePlan(validation);
  } catch (error) {
    bad(`${named(step)} does not validate: ${error instanceof Error ? error.message : String(error)}`);
  }
}
