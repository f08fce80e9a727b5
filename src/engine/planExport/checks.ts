// What the checks of an imported plan share (CheckImportedPlan, CheckOutputPlan, CheckStepData): their
// error, whether a step's values are there for a layer, and whether a field context is the one the planner
// builds for that field of the document.

import { isEqualType, isOutputType, type ASTNode, type FieldNode } from "graphql";
import { stepNameOf, type Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { FieldContext } from "../planning/resolveInfo.js";
import { fieldDefOf } from "../planning/outputPlan.js";
import { BadPlan } from "./encoded.js";
import { documentNodes } from "./documentNodes.js";

/** A step as messages name it: its class's name and id (its toString may read the very fields that are wrong). */
export function named(step: Step): string {
  return `${stepNameOf(step)}[${step.id}]`;
}

/** A plan whose structure does not hold: planned again (the message says what is out of place). */
export function bad(message: string): never {
  throw new BadPlan(`the stored plan is inconsistent: ${message}`);
}

/**
 * Whether `step`'s values are there when a step or output position of `layer` reads them: it runs in
 * `layer` or a layer enclosing it, or it is a global step of the root or of a mutation field that runs
 * before (or is) the one `layer` belongs to.
 */
export function reachable(plan: OperationPlan, step: Step, layer: Layer): boolean {
  const own = plan.layers[step.layerId]!;
  if (layer.hasAncestorOrSelf(own)) return true;
  return step.isGlobal && own.reason.startsPath && own.id <= layer.hoistTarget().id;
}

const CONTEXT_KEYS = ["fieldName", "responseKey", "fieldNodes", "returnType", "parentType", "schema", "fragments", "operation"];

/**
 * The key layout a decoded step was built with (its shape: every step of one shape and class holds the same
 * own keys), remembering the class whose steps were found to hold exactly their kind's fields, so
 * CheckStepData checks a layout's keys once per class, not once per step.
 */
export interface StepLayout {
  keysCheckedFor: object | null;
  keysCheckedKind: string | null;
  /** The layout's keys and, per key, how it is written or what it fixes (ShapePlan). */
  readonly keys?: readonly string[];
  readonly layout?: ReadonlyArray<unknown>;
  /**
   * The keys each object of the layout writes (the rest the shape fixes), once worked out for a class's
   * kind: what a step that repeats its predecessor's header still has checked of its own (CheckImportedPlan);
   * null when that step is checked in full.
   */
  followerKeys?: object | null;
  followerKeysFor?: object | null;
}

/** What a plan's decoder tells its checks: the nodes it handed out, the output fields it did not derive. */
export interface DecodedBy {
  /** Per step id, the layout its object was built with. */
  readonly stepLayouts: ReadonlyArray<StepLayout | undefined>;
  /** Per step id, true when the step repeats the stream header of the step before it (a run of like steps). */
  readonly stepFollows: ReadonlyArray<boolean | undefined>;
  /** Whether a node is one the decoder handed out (PlanDecoder.handedOut). */
  handedOut(node: unknown): boolean;
  /** The output fields written in full: the others' contexts were built from the document (DecodeOutputPlan). */
  readonly writtenInFull: ReadonlySet<unknown>;
}

const decoderOf = new WeakMap<OperationPlan, DecodedBy>();

/** The document's nodes of a plan checked without its decoder, walked once per plan. */
const nodesOfPlan = new WeakMap<OperationPlan, Set<ASTNode>>();

/**
 * Checks of `plan` ask its decoder which nodes are the document's (it knows every node it decoded) and which
 * fields it derived; null once they are done (a plan does not keep its decoder alive, nor its weak entry).
 */
export function decodedBy(plan: OperationPlan, decoder: DecodedBy | null): void {
  if (decoder === null) decoderOf.delete(plan);
  else decoderOf.set(plan, decoder);
}

const NO_LAYOUTS: ReadonlyArray<StepLayout | undefined> = [];

/** Per step id, the layout each step of a decoded plan was built with (none for a plan checked without its decoder). */
export function layoutsOf(plan: OperationPlan): ReadonlyArray<StepLayout | undefined> {
  return decoderOf.get(plan)?.stepLayouts ?? NO_LAYOUTS;
}

const NO_FOLLOWS: ReadonlyArray<boolean | undefined> = [];

/** Per step id, whether the step repeats the stream header of the step before it (none for a plan checked without its decoder). */
export function followsOf(plan: OperationPlan): ReadonlyArray<boolean | undefined> {
  return decoderOf.get(plan)?.stepFollows ?? NO_FOLLOWS;
}

/** Whether an output field's context was built from the document by the decoder (not written in full). */
export function isDerivedField(plan: OperationPlan, field: unknown): boolean {
  const decoder = decoderOf.get(plan);
  return decoder !== undefined && !decoder.writtenInFull.has(field);
}

/** Whether `node` is one of the plan's document nodes (the operation's or a fragment's). */
export function isDocumentNode(plan: OperationPlan, node: unknown): node is ASTNode {
  const decoder = decoderOf.get(plan);
  if (decoder !== undefined) return decoder.handedOut(node);
  let nodes = nodesOfPlan.get(plan);
  if (nodes === undefined) {
    nodes = new Set();
    for (const list of documentNodes(plan.operation, plan.fragments).values()) for (const n of list) nodes.add(n);
    nodesOfPlan.set(plan, nodes);
  }
  return nodes.has(node as ASTNode);
}

/**
 * Whether `context` is a field context as the planner builds one (fieldContextOf): those keys (and
 * `atListItem: true` for a list item's checks), field nodes of this document, and the
 * name, return type (the same type, though a decoded list or non-null wrapper is a new object) and parent type
 * of the schema's field those nodes select, with the plan's schema,
 * fragments and operation.
 */
export function isFieldContext(plan: OperationPlan, context: unknown): context is FieldContext {
  if (context === null || typeof context !== "object") return false;
  const c = context as FieldContext;
  const count = ownKeyCount(c);
  if (count !== CONTEXT_KEYS.length && (count !== CONTEXT_KEYS.length + 1 || c.atListItem !== true)) return false;
  for (let k = 0; k < CONTEXT_KEYS.length; k++) if (!Object.hasOwn(c, CONTEXT_KEYS[k]!)) return false;
  const nodes = c.fieldNodes as readonly unknown[];
  if (!Array.isArray(nodes) || nodes.length === 0) return false;
  for (let i = 0; i < nodes.length; i++) if (!isDocumentNode(plan, nodes[i]) || nodes[i].kind !== "Field") return false;
  const parent = c.parentType;
  if (parent === null || typeof parent !== "object" || plan.schema.getType(parent.name) !== parent) return false;
  const def = fieldDefOf(plan.schema, parent, (nodes[0] as FieldNode).name.value);
  return (
    def !== undefined &&
    c.fieldName === def.name &&
    typeof c.responseKey === "string" &&
    isOutputType(c.returnType) &&
    isEqualType(c.returnType, def.type) &&
    c.schema === plan.schema &&
    c.fragments === plan.fragments &&
    c.operation === plan.operation
  );
}

/** The number of an object's own enumerable keys, counted without making their list. */
export function ownKeyCount(object: object): number {
  return Object.keys(object).length;
}
