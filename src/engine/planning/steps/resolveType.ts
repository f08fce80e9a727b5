// ResolveTypeStep: what each entry of an abstract field says its type is — the type's `resolveType`, the
// request's `typeResolver`, or graphql-js's default type resolver — as returned, unchecked (RuntimeTypeStep
// checks it). Called per entry with graphql-js's arguments; never global.

import type { GraphQLAbstractType, GraphQLResolveInfo } from "graphql";
import { Step, type ExecutionDetails, type RequestInfo } from "../../step.js";
import { fail } from "../../flags.js";
import { isPromiseLike } from "../../promiseOrValue.js";
import { buildResolveInfo, type EngineRequest, type FieldContext, type ResolverExecutionDetails } from "../resolveInfo.js";
import { registerStepClass } from "../../stepRegistry.js";
import { DEFAULT_TYPE_RESOLVER_WAITS_BEFORE_THROWING } from "../graphqlAdapter.js";

/**
 * spec: DefaultTypeResolver — graphql-js's: `__typename`, else the first possible type whose isTypeOf holds,
 * waiting for the asynchronous ones only when no synchronous one held (its promise structure too).
 */
function defaultTypeResolver(value: unknown, contextValue: unknown, info: GraphQLResolveInfo, abstractType: GraphQLAbstractType): unknown {
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
    if (pending.length && DEFAULT_TYPE_RESOLVER_WAITS_BEFORE_THROWING) {
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

/**
 * What each entry of an abstract field says its type is: `resolveType`, the request's `typeResolver`, or
 * graphql-js's default type resolver — the name as returned, unchecked (RuntimeTypeStep checks it).
 */
export class ResolveTypeStep extends Step<unknown> {
  static override readonly stepName = "ResolveType";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  override isAsync = true;

  /**
   * Never global: graphql-js calls the type checks once per value, with that value's path in `info`, so a
   * value that is the same for every entry (a global step's) is still checked per entry.
   */
  override canBeGlobal(): boolean {
    return false;
  }
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
