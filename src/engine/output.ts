// Output: builds the GraphQL response from layer results by walking the output plan depth-first, the
// order graphql-js completes values in, so errors come out in graphql-js's order. Serializes leaves,
// propagates nulls to the nearest nullable position, and never re-runs a step. Implements spec/output.md.

import { GraphQLError, locatedError, type GraphQLLeafType } from "graphql";
import { FlaggedValue, FLAG_ERROR, INHIBITED_AS_EMPTY_LIST, type Step } from "./step.js";
import type { LeafShape, OutputField, OutputSelection, OutputValue } from "./operationPlan.js";
import { batchValues, listAt, type Bucket, type RequestState } from "./executeBucket.js";
import { inspect } from "./inspect.js";

/** Returned in place of a value when a non-null position became null: the parent becomes null too. */
const BUBBLE: unique symbol = Symbol("bubble");
type Completed = unknown | typeof BUBBLE;

interface OutputContext {
  readonly request: RequestState;
  readonly errors: GraphQLError[];
  readonly path: Array<string | number>;
}

/** spec: BuildResponse */
export function buildResponse(request: RequestState, rootBucket: Bucket): { errors?: GraphQLError[]; data: Record<string, unknown> | null } {
  const ctx: OutputContext = { request, errors: [], path: [] };
  const data = completeRoot(ctx, request.plan.root, rootBucket);
  const result = data === BUBBLE ? null : (data as Record<string, unknown>);
  return ctx.errors.length === 0 ? { data: result } : { errors: ctx.errors, data: result };
}

function completeRoot(ctx: OutputContext, selection: OutputSelection, rootBucket: Bucket): Completed {
  const mutationLayers = ctx.request.plan.operation.operation === "mutation";
  if (!mutationLayers) return completeSelection(ctx, selection, rootBucket, 0);
  // Each root mutation field's values live in that field's own layer.
  const out: Record<string, unknown> = Object.create(null);
  const layers = ctx.request.plan.rootLayer.children;
  for (let f = 0; f < selection.fields.length; f++) {
    const field = selection.fields[f]!;
    const key = field.responseKey;
    ctx.path.push(key);
    if (field.value === null) {
      out[key] = selection.type.name;
    } else {
      const layer = layers.find((l) => l.reason.type === "mutationField" && l.reason.responseKey === key)!;
      const bucket = rootBucket.children.get(layer.id)!;
      const v = completeValue(ctx, field, field.value, bucket, 0);
      if (v === BUBBLE) {
        ctx.path.pop();
        return BUBBLE;
      }
      out[key] = v;
    }
    ctx.path.pop();
  }
  return out;
}

/** spec: CompleteSelection — one object of the response; stops at the first field that bubbles, as graphql-js does. */
function completeSelection(ctx: OutputContext, selection: OutputSelection, bucket: Bucket, entry: number): Completed {
  const out: Record<string, unknown> = Object.create(null);
  const fields = selection.fields;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const key = field.responseKey;
    if (field.value === null) {
      out[key] = selection.type.name;
      continue;
    }
    ctx.path.push(key);
    const v = completeValue(ctx, field, field.value, bucket, entry);
    ctx.path.pop();
    if (v === BUBBLE) return BUBBLE;
    out[key] = v;
  }
  return out;
}

function valueAt(ctx: OutputContext, step: Step, bucket: Bucket, entry: number): unknown {
  if (step.isGlobal) return ctx.request.globals[step.id];
  const own = bucket.values[step.id];
  return (own !== undefined ? own : batchValues(ctx.request, bucket, step))[entry];
}

function recordError(ctx: OutputContext, field: OutputField, error: unknown): void {
  ctx.errors.push(locatedError(error, field.field.fieldNodes, ctx.path.slice()));
}

/**
 * A null, an error flag or an inhibited entry at this position: records what graphql-js would and returns
 * null, or BUBBLE for a non-null position. Returns undefined when the value is ordinary data.
 */
function nullOrError(ctx: OutputContext, field: OutputField, nonNull: boolean, raw: unknown, isList = false): Completed | undefined {
  if (raw instanceof FlaggedValue) {
    if (raw.flag === FLAG_ERROR) {
      recordError(ctx, field, raw.error);
      return nonNull ? BUBBLE : null;
    }
    if (isList && raw === INHIBITED_AS_EMPTY_LIST) return [];
    raw = null; // inhibited: the field is null
  } else if (field.errorValuesAreErrors && raw instanceof Error) {
    recordError(ctx, field, raw);
    return nonNull ? BUBBLE : null;
  }
  if (raw == null) {
    if (nonNull) {
      const f = field.field;
      recordError(ctx, field, new Error(`Cannot return null for non-nullable field ${f.parentType.name}.${f.fieldName}.`));
      return BUBBLE;
    }
    return null;
  }
  return undefined;
}

/** spec: CompleteValue */
function completeValue(ctx: OutputContext, field: OutputField, value: OutputValue, bucket: Bucket, entry: number): Completed {
  const raw = valueAt(ctx, value.step, bucket, entry);
  const early = nullOrError(ctx, field, value.nonNull, raw, value.kind === "list" || value.kind === "leafList");
  if (early !== undefined) return early;
  let completed: Completed;
  switch (value.kind) {
    case "leaf":
      completed = completeLeaf(ctx, field, value.type, raw);
      break;
    case "leafList": {
      const list = listAt(ctx.request, bucket, value.step, entry);
      completed = list === null ? notIterable(ctx, field) : completeLeafList(ctx, field, value.item, list);
      break;
    }
    case "list": {
      const list = listAt(ctx.request, bucket, value.step, entry);
      if (list === null) {
        completed = notIterable(ctx, field);
        break;
      }
      const child = bucket.children.get(value.layer.id)!;
      const start = child.childStart![entry]!;
      const out = new Array<unknown>(list.length);
      completed = out;
      for (let k = 0; k < list.length; k++) {
        ctx.path.push(k);
        const item = completeValue(ctx, field, value.item, child, start + k);
        ctx.path.pop();
        if (item === BUBBLE) {
          completed = BUBBLE;
          break;
        }
        out[k] = item;
      }
      break;
    }
    case "object": {
      const child = bucket.children.get(value.layer.id)!;
      completed = completeSelection(ctx, value.selection, child, child.entryOfParent![entry]!);
      break;
    }
    case "abstract": {
      const typeName = valueAt(ctx, value.typeStep, bucket, entry);
      if (typeName instanceof FlaggedValue) {
        const early2 = nullOrError(ctx, field, value.nonNull, typeName);
        return early2 === undefined ? null : early2;
      }
      const target = typeof typeName === "string" ? value.byType.get(typeName) : undefined;
      if (target === undefined) {
        const f = field.field;
        recordError(
          ctx,
          field,
          new GraphQLError(
            `Abstract type "${String((f.returnType as { toString(): string }).toString().replace(/[[\]!]/g, ""))}" must resolve to an Object type at runtime for field "${f.parentType.name}.${f.fieldName}" with value ${inspect(raw)}, received "${inspect(typeName)}".`,
          ),
        );
        return value.nonNull ? BUBBLE : null;
      }
      const child = bucket.children.get(target.layer.id)!;
      completed = completeSelection(ctx, target.selection, child, child.entryOfParent![entry]!);
      break;
    }
  }
  if (completed === BUBBLE) return value.nonNull ? BUBBLE : null;
  return completed;
}

function notIterable(ctx: OutputContext, field: OutputField): Completed {
  const f = field.field;
  recordError(ctx, field, new GraphQLError(`Expected Iterable, but did not find one for field "${f.parentType.name}.${f.fieldName}".`));
  return BUBBLE;
}

function completeLeaf(ctx: OutputContext, field: OutputField, type: GraphQLLeafType, raw: unknown): Completed {
  let serialized: unknown;
  try {
    serialized = type.serialize(raw);
  } catch (error) {
    recordError(ctx, field, error);
    return BUBBLE;
  }
  if (serialized == null) {
    recordError(
      ctx,
      field,
      new Error(`Expected \`${inspect(type)}.serialize(${inspect(raw)})\` to return non-nullable value, returned: ${inspect(serialized)}`),
    );
    return BUBBLE;
  }
  return serialized;
}

/** Lists of leaves need no layer: their items are serialized straight from the list value. */
function completeLeafList(ctx: OutputContext, field: OutputField, item: LeafShape, list: readonly unknown[]): Completed {
  const out = new Array<unknown>(list.length);
  for (let k = 0; k < list.length; k++) {
    ctx.path.push(k);
    const v = completeLeafItem(ctx, field, item, list[k]);
    ctx.path.pop();
    if (v === BUBBLE) return BUBBLE;
    out[k] = v;
  }
  return out;
}

function completeLeafItem(ctx: OutputContext, field: OutputField, shape: LeafShape, raw: unknown): Completed {
  const early = nullOrError(ctx, field, shape.nonNull, raw);
  if (early !== undefined) return early;
  let completed: Completed;
  if (shape.kind === "leaf") {
    completed = completeLeaf(ctx, field, shape.type, raw);
  } else {
    const list = Array.isArray(raw) ? raw : isIterableObject(raw) ? Array.from(raw) : null;
    completed = list === null ? notIterable(ctx, field) : completeLeafList(ctx, field, shape.item, list);
  }
  if (completed === BUBBLE) return shape.nonNull ? BUBBLE : null;
  return completed;
}

function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
