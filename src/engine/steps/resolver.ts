// ResolverStep: resolver emulation for a field without a plan. Calls the field's graphql-js `resolve` (or
// the default field resolver) per entry with exactly graphql-js's arguments and settles what graphql-js
// would await, so any graphql-js schema runs unchanged. The only step that calls user code per entry.

import { getArgumentValues, isListType, isNonNullType, type GraphQLField, type GraphQLFieldResolver, type GraphQLOutputType } from "graphql";
import { Step, type ExecutionDetails, type RequestInfo } from "../step.js";
import { fail } from "../flags.js";
import { isIterableObject, isPromiseLike } from "../promiseOrValue.js";
import { buildResolveInfo, type EngineRequest, type FieldContext, type Path, type ResolverExecutionDetails } from "../resolveInfo.js";
import { recordPromisedItems, recordItemSettlement } from "../promisedItems.js";
import { registerStepClass } from "../planExport/registry.js";

/**
 * Calls a field's `resolve` (or the request's `fieldResolver`, or graphql-js's default property access)
 * per entry with `(source, args, context, info)`. Never global: graphql-js calls it once per entry.
 */
export class ResolverStep extends Step<unknown> {
  static override readonly stepName = "Resolver";
  static {
    registerStepClass(this);
  }
  override hasSideEffects = true;
  override isAsync = true;
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | null;
  /** How many list types wrap the field's type: list values are settled that many levels deep. */
  readonly listDepth: number;

  constructor(
    $source: Step,
    readonly field: FieldContext,
    readonly fieldDef: GraphQLField<unknown, unknown>,
  ) {
    super();
    this.resolve = fieldDef.resolve ?? null;
    this.listDepth = listDepthOf(fieldDef.type);
    this.addDependency($source);
  }

  /**
   * graphql-js coerces a field's arguments for every call, so each call gets its own args object (and
   * custom scalars parse literals once per call). Fields without arguments get a fresh empty object.
   */
  private argumentsFor(request: RequestInfo): Record<string, unknown> {
    return this.fieldDef.args.length === 0
      ? {}
      : getArgumentValues(this.fieldDef, this.field.fieldNodes[0]!, request.variableValues as Record<string, unknown>);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const sources = values[0] as readonly unknown[];
    const resolverDetails = details as ResolverExecutionDetails;
    const req = request as EngineRequest;
    const resolve = this.resolve ?? req.fieldResolver;
    const contextValue = request.contextValue;
    const depth = this.listDepth;
    const hasArgs = this.fieldDef.args.length > 0;
    const out = new Array<unknown>(count);
    if (resolve === null) {
      // graphql-js's default field resolver, inlined: property, or method called with (args, context, info).
      const name = this.field.fieldName;
      let entryPaths: ReadonlyArray<Path | undefined> | null = null;
      for (let i = 0; i < count; i++) {
        try {
          const args = hasArgs ? this.argumentsFor(request) : null;
          const source = sources[i] as Record<string, unknown> | null;
          if (source !== null && (typeof source === "object" || typeof source === "function")) {
            const property = source[name];
            if (typeof property === "function") {
              entryPaths ??= resolverDetails.entryPaths();
              const info = buildResolveInfo(this.field, request, entryPaths[i]);
              out[i] = settleResolvedValue((source[name] as Function)(args ?? {}, contextValue, info), depth);
            } else {
              out[i] = settleResolvedValue(property, depth);
            }
          } else {
            out[i] = undefined;
          }
        } catch (error) {
          out[i] = fail(error);
        }
      }
      return out;
    }
    const entryPaths = resolverDetails.entryPaths();
    for (let i = 0; i < count; i++) {
      try {
        const args = this.argumentsFor(request);
        out[i] = settleResolvedValue(resolve(sources[i], args, contextValue, buildResolveInfo(this.field, request, entryPaths[i])), depth);
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return `${this.field.parentType.name}.${this.field.fieldName}`;
  }
}

/** The depth of list wrappers of a type, as resolver emulation counts them (checked again on plan import). */
export function listDepthOf(type: GraphQLOutputType): number {
  let depth = 0;
  for (let t: GraphQLOutputType = type; ; ) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      depth++;
      t = t.ofType as GraphQLOutputType;
    } else return depth;
  }
}

/**
 * spec: SettleResolvedValue — what graphql-js awaits while completing a resolver's value, awaited here
 * instead: the value itself if it is a promise, and for list types the items of the list (and of nested
 * lists, `depth` levels down). A resolved Error is a field error; a rejected item fails that item only.
 * A list that held promises (or was another iterable) is replaced by a settled copy, whose promised
 * items are recorded (`promisedItemsOf`) so the output completes them in graphql-js's order.
 */
function settleResolvedValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) return fail(value);
  if (isPromiseLike(value)) {
    return Promise.resolve(value).then((v) => (v instanceof Error ? fail(v) : depth === 0 ? v : settleListItems(v, depth)));
  }
  return depth === 0 ? value : settleListItems(value, depth);
}

/** spec: SettleListItems — one list level: the list unchanged when nothing in it is pending, else a settled copy. */
function settleListItems(value: unknown, depth: number): unknown {
  if (!isIterableObject(value)) return value; // not a list: the output reports it
  let list: unknown[];
  try {
    list = Array.isArray(value) ? value : Array.from(value);
  } catch (error) {
    return fail(error);
  }
  let copy: unknown[] | null = Array.isArray(value) ? null : list;
  let promised: Uint8Array | null = null;
  let pending: Array<PromiseLike<unknown>> | null = null;
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    let settled: unknown = item;
    if (isPromiseLike(item)) {
      (promised ??= new Uint8Array(list.length))[k] = 1;
      settled = Promise.resolve(item).then(
        (v) => (depth > 1 ? settleListItems(v, depth - 1) : v),
        (error: unknown) => fail(error),
      );
    } else if (depth > 1) {
      settled = settleListItems(item, depth - 1);
    }
    if (settled === item) continue;
    copy ??= list.slice();
    copy[k] = settled;
    if (isPromiseLike(settled)) (pending ??= []).push(settled);
  }
  if (copy === null) return list;
  const out = copy;
  if (promised !== null) recordPromisedItems(out, promised);
  if (pending === null) return out;
  for (let k = 0; k < out.length; k++) {
    const item = out[k];
    if (isPromiseLike(item)) item.then((v) => void (out[k] = v));
  }
  const settled = Promise.all(pending).then(() => out);
  recordItemSettlement(settled);
  return settled;
}
