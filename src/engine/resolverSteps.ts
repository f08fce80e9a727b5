// Resolver emulation: the steps the planner uses for fields without a plan resolver. They call a
// graphql-js `resolve` (or the default field resolver), `resolveType` and `isTypeOf` once per entry with
// exactly the arguments graphql-js passes, so any graphql-js schema runs unchanged. These are the only
// steps that allocate per entry (an `info` object), because graphql-js's contract requires one.

import {
  GraphQLError,
  getArgumentValues,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
} from "graphql";
import { EngineValueStep, Step, fail, type ExecutionDetails, type RequestInfo } from "./step.js";
import { inspect } from "./inspect.js";

/** graphql-js's response path: a linked list from the leaf back to the root. */
export interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
  readonly typename: string | undefined;
}

/** What a resolver step needs to know about its field to build `info`. */
export interface FieldContext {
  readonly fieldName: string;
  readonly responseKey: string;
  readonly fieldNodes: ReadonlyArray<FieldNode>;
  readonly returnType: GraphQLOutputType;
  readonly parentType: GraphQLObjectType;
  readonly schema: GraphQLSchema;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly operation: OperationDefinitionNode;
  /**
   * Set for the checks of a list item's value (resolveType, isTypeOf): graphql-js hands them the list
   * field's own `info`, whose path is the field's, without item indices.
   */
  readonly atListItem?: boolean;
}

/** The request as the engine sees it: graphql-js's execution arguments, coerced. */
export interface EngineRequest extends RequestInfo {
  readonly fieldResolver: GraphQLFieldResolver<unknown, unknown> | null;
  readonly typeResolver: GraphQLTypeResolver<unknown, unknown> | null;
}

/**
 * spec: BuildResolveInfo — graphql-js's `info` for one entry of a field, given the entry's path: the parent object's, or
 * for the checks of a list item (`atListItem`) the item's, whose field path is above its indices.
 */
export function buildResolveInfo(field: FieldContext, request: RequestInfo, entryPath: Path | undefined): GraphQLResolveInfo {
  let path: Path;
  if (field.atListItem) {
    let p = entryPath!;
    while (typeof p.key === "number") p = p.prev!;
    path = p;
  } else {
    path = { prev: entryPath, key: field.responseKey, typename: field.parentType.name };
  }
  return {
    fieldName: field.fieldName,
    fieldNodes: field.fieldNodes,
    returnType: field.returnType,
    parentType: field.parentType,
    path,
    schema: field.schema,
    fragments: field.fragments as GraphQLResolveInfo["fragments"],
    rootValue: request.rootValue,
    operation: field.operation,
    variableValues: request.variableValues as GraphQLResolveInfo["variableValues"],
  };
}

/** Internal: the engine passes each entry's response path to the steps that need it. */
export interface ResolverExecutionDetails extends ExecutionDetails {
  readonly entryPaths: () => ReadonlyArray<Path | undefined>;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

/** The items of a list layer: values set by the engine when the layer's entries are created. */
export class ItemStep extends EngineValueStep<unknown> {
  override toStringMeta(): string {
    // Read from the layer, which the planner keeps pointing at the list step after optimizations.
    const reason = this.layer.reason;
    return reason.type === "listItem" ? `of ${reason.listStep.id}` : "";
  }
}

/** A field whose plan resolver failed: every entry of the field is that error. */
export class PlanningErrorStep extends Step<never> {
  constructor(readonly error: unknown) {
    super();
  }
  execute({ count }: ExecutionDetails) {
    return new Array(count).fill(fail(this.error));
  }
  override toStringMeta(): string {
    return String((this.error as Error)?.message ?? this.error).slice(0, 40);
  }
}

/**
 * Calls a field's `resolve` (or the request's `fieldResolver`, or graphql-js's default property access)
 * per entry with `(source, args, context, info)`. Never global: graphql-js calls it once per entry.
 */
export class ResolverStep extends Step<unknown> {
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
    const paths = (details as ResolverExecutionDetails).entryPaths;
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
              entryPaths ??= paths();
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
    const entryPaths = paths();
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

function listDepthOf(type: GraphQLOutputType): number {
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

/** Which items of a settled list were promises, by list (see `settleResolvedValue`). */
const promisedItems = new WeakMap<readonly unknown[], Uint8Array>();

/** The items of `list` that a resolver returned as promises (1) and those it returned as values (0). */
export function promisedItemsOf(list: readonly unknown[]): Uint8Array | undefined {
  return promisedItems.get(list);
}

/** Records which items of `list` were promises before they were settled. */
export function recordPromisedItems(list: readonly unknown[], promised: Uint8Array): void {
  promisedItems.set(list, promised);
}

function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
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
  itemSettlements.add(settled);
  return settled;
}

/**
 * Promises standing for a list the resolver returned as a list, pending only on its items: the value
 * itself was not a promise, so the output must not complete it as one (only its items).
 */
const itemSettlements = new WeakSet<PromiseLike<unknown>>();

/** Whether `value` is a list's item settlement rather than a promise the resolver returned. */
export function isItemSettlement(value: PromiseLike<unknown>): boolean {
  return itemSettlements.has(value);
}

/**
 * spec: DefaultTypeResolver — graphql-js's: `__typename`, else the first possible type whose isTypeOf holds,
 * waiting for the asynchronous ones only when no synchronous one held (its promise structure too).
 */
export function defaultTypeResolver(value: unknown, contextValue: unknown, info: GraphQLResolveInfo, abstractType: GraphQLAbstractType): unknown {
  if (value !== null && typeof value === "object" && typeof (value as { __typename?: unknown }).__typename === "string") {
    return (value as { __typename: string }).__typename;
  }
  const possibleTypes = info.schema.getPossibleTypes(abstractType);
  const pending: Array<PromiseLike<unknown>> = [];
  try {
    for (let i = 0; i < possibleTypes.length; i++) {
      const type = possibleTypes[i]!;
      if (type.isTypeOf) {
        const result = type.isTypeOf(value, contextValue, info);
        if (isPromiseLike(result)) {
          pending[i] = result;
        } else if (result) {
          if (pending.length) Promise.allSettled(pending).catch(() => undefined);
          return type.name;
        }
      }
    }
  } catch (error) {
    if (pending.length) {
      return Promise.allSettled(pending).then(() => {
        throw error;
      });
    }
    throw error;
  }
  if (pending.length) {
    return Promise.all(pending).then((results) => {
      for (let i = 0; i < results.length; i++) if (results[i]) return possibleTypes[i]!.name;
      return undefined;
    });
  }
  return undefined;
}

/** spec: EnsureValidRuntimeType — graphql-js's checks on what resolveType returned, with its messages. */
export function ensureValidRuntimeType(name: unknown, abstractType: GraphQLAbstractType, field: FieldContext, value: unknown): GraphQLObjectType {
  if (name == null) {
    throw new GraphQLError(
      `Abstract type "${abstractType.name}" must resolve to an Object type at runtime for field "${field.parentType.name}.${field.fieldName}". Either the "${abstractType.name}" type should provide a "resolveType" function or each possible type should provide an "isTypeOf" function.`,
      { nodes: field.fieldNodes },
    );
  }
  if (isObjectType(name)) {
    throw new GraphQLError(
      "Support for returning GraphQLObjectType from resolveType was removed in graphql-js@16.0.0 please return type name instead.",
    );
  }
  if (typeof name !== "string") {
    throw new GraphQLError(
      `Abstract type "${abstractType.name}" must resolve to an Object type at runtime for field "${field.parentType.name}.${field.fieldName}" with value ${inspect(value)}, received "${inspect(name)}".`,
    );
  }
  const runtimeType = field.schema.getType(name);
  if (runtimeType == null) {
    throw new GraphQLError(`Abstract type "${abstractType.name}" was resolved to a type "${name}" that does not exist inside the schema.`, {
      nodes: field.fieldNodes,
    });
  }
  if (!isObjectType(runtimeType)) {
    throw new GraphQLError(`Abstract type "${abstractType.name}" was resolved to a non-object type "${name}".`, { nodes: field.fieldNodes });
  }
  if (!field.schema.isSubType(abstractType, runtimeType)) {
    throw new GraphQLError(`Runtime Object type "${runtimeType.name}" is not a possible type for "${abstractType.name}".`, {
      nodes: field.fieldNodes,
    });
  }
  return runtimeType;
}

function invalidReturnTypeError(type: GraphQLObjectType, value: unknown, field: FieldContext): GraphQLError {
  return new GraphQLError(`Expected value of type "${type.name}" but got: ${inspect(value)}.`, { nodes: field.fieldNodes });
}

/**
 * What each entry of an abstract field says its type is: `resolveType`, the request's `typeResolver`, or
 * graphql-js's default type resolver — the name as returned, unchecked (RuntimeTypeStep checks it).
 */
export class ResolveTypeStep extends Step<unknown> {
  override isAsync = true;
  constructor(
    $value: Step,
    readonly abstractType: GraphQLAbstractType,
    readonly field: FieldContext,
  ) {
    super();
    this.addDependency($value);
  }

  /** Whether this request resolves the type with graphql-js's default type resolver. */
  usesDefaultTypeResolver(request: RequestInfo): boolean {
    return this.abstractType.resolveType == null && (request as EngineRequest).typeResolver == null;
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const items = values[0] as readonly unknown[];
    const abstractType = this.abstractType;
    const resolveType = abstractType.resolveType ?? (request as EngineRequest).typeResolver ?? defaultTypeResolver;
    const entryPaths = (details as ResolverExecutionDetails).entryPaths();
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = null;
        continue;
      }
      try {
        out[i] = resolveType(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]), abstractType);
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return this.abstractType.name;
  }
}

/**
 * The concrete type of each entry of an abstract field, from the name its type step gave: checked as
 * graphql-js checks it (the type exists, is an object type, is possible), then the type's `isTypeOf`.
 * Its value is the type name, or the error graphql-js raises. Serves resolveType and plan types alike.
 */
export class RuntimeTypeStep extends Step<unknown> {
  override isAsync = true;
  constructor(
    $value: Step,
    $typeName: Step,
    readonly abstractType: GraphQLAbstractType,
    readonly field: FieldContext,
  ) {
    super();
    this.addDependency($value);
    this.addDependency($typeName);
  }

  /** The step naming each entry's type (resolveType emulation or a plan's type step). */
  get $typeName(): Step {
    return this.getDependency(1);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const items = values[0] as readonly unknown[];
    const names = values[1] as readonly unknown[];
    let entryPaths: ReadonlyArray<Path | undefined> | null = null;
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = null;
        continue;
      }
      try {
        const type = ensureValidRuntimeType(names[i], this.abstractType, this.field, value);
        if (!type.isTypeOf) {
          out[i] = type.name;
          continue;
        }
        entryPaths ??= (details as ResolverExecutionDetails).entryPaths();
        const ok = type.isTypeOf(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]));
        out[i] = isPromiseLike(ok)
          ? Promise.resolve(ok).then((r) => (r ? type.name : fail(invalidReturnTypeError(type, value, this.field))))
          : ok
            ? type.name
            : fail(invalidReturnTypeError(type, value, this.field));
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return this.abstractType.name;
  }
}

/** An object type with `isTypeOf`: each entry's value is checked as graphql-js checks it. */
export class IsTypeOfStep extends Step<unknown> {
  override isAsync = true;
  constructor(
    $value: Step,
    readonly type: GraphQLObjectType,
    readonly field: FieldContext,
  ) {
    super();
    this.addDependency($value);
  }

  /** The field's value, before the check. */
  get $value(): Step {
    return this.getDependency(0);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const items = values[0] as readonly unknown[];
    const isTypeOf = this.type.isTypeOf!;
    const entryPaths = (details as ResolverExecutionDetails).entryPaths();
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = value;
        continue;
      }
      try {
        const ok = isTypeOf(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]));
        out[i] = isPromiseLike(ok)
          ? Promise.resolve(ok).then((r) => (r ? value : fail(invalidReturnTypeError(this.type, value, this.field))))
          : ok
            ? value
            : fail(invalidReturnTypeError(this.type, value, this.field));
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return this.type.name;
  }
}
