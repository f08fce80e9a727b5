// Resolver emulation: the steps the planner uses for fields without a plan resolver. They call a
// graphql-js `resolve` (or the default field resolver), `resolveType` and `isTypeOf` once per entry with
// exactly the arguments graphql-js passes, so any graphql-js schema runs unchanged. These are the only
// steps that allocate per entry (an `info` object), because graphql-js's contract requires one.

import {
  GraphQLError,
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
import { EngineValueStep, FLAG_NULL, Step, fail, type ExecutionDetails, type RequestInfo } from "./step.js";
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
}

/** The request as the engine sees it: graphql-js's execution arguments, coerced. */
export interface EngineRequest extends RequestInfo {
  readonly fieldResolver: GraphQLFieldResolver<unknown, unknown> | null;
  readonly typeResolver: GraphQLTypeResolver<unknown, unknown> | null;
}

/** Builds graphql-js's `info` for one entry of a field. */
export function buildResolveInfo(field: FieldContext, request: RequestInfo, parentPath: Path | undefined): GraphQLResolveInfo {
  return {
    fieldName: field.fieldName,
    fieldNodes: field.fieldNodes,
    returnType: field.returnType,
    parentType: field.parentType,
    path: { prev: parentPath, key: field.responseKey, typename: field.parentType.name },
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
  constructor(readonly $list: Step) {
    super();
  }
  override toStringMeta(): string {
    return `of ${this.$list.id}`;
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

  constructor(
    $source: Step,
    $args: Step,
    readonly field: FieldContext,
    fieldDef: GraphQLField<unknown, unknown>,
  ) {
    super();
    this.resolve = fieldDef.resolve ?? null;
    this.addDependency($source);
    this.addGlobalDependency($args, { acceptFlags: FLAG_NULL });
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const sources = values[0] as readonly unknown[];
    const args = values[1] as Record<string, unknown>;
    const paths = (details as ResolverExecutionDetails).entryPaths;
    const req = request as EngineRequest;
    const resolve = this.resolve ?? req.fieldResolver;
    const contextValue = request.contextValue;
    const out = new Array<unknown>(count);
    if (resolve === null) {
      // graphql-js's default field resolver, inlined: property, or method called with (args, context, info).
      const name = this.field.fieldName;
      let entryPaths: ReadonlyArray<Path | undefined> | null = null;
      for (let i = 0; i < count; i++) {
        const source = sources[i] as Record<string, unknown> | null;
        if (source !== null && (typeof source === "object" || typeof source === "function")) {
          const property = source[name];
          if (typeof property === "function") {
            entryPaths ??= paths();
            try {
              out[i] = settle((source[name] as Function)(args, contextValue, buildResolveInfo(this.field, request, entryPaths[i])));
            } catch (error) {
              out[i] = fail(error);
            }
          } else {
            out[i] = property instanceof Error ? fail(property) : property;
          }
        } else {
          out[i] = undefined;
        }
      }
      return out;
    }
    const entryPaths = paths();
    for (let i = 0; i < count; i++) {
      try {
        out[i] = settle(resolve(sources[i], args, contextValue, buildResolveInfo(this.field, request, entryPaths[i])));
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

/** graphql-js treats a resolved Error as a field error; a promise of one likewise. */
function settle(value: unknown): unknown {
  if (value instanceof Error) return fail(value);
  if (isPromiseLike(value)) return Promise.resolve(value).then((v) => (v instanceof Error ? fail(v) : v));
  return value;
}

/** graphql-js's default type resolver: `__typename`, else the first possible type whose isTypeOf holds. */
function defaultTypeResolver(value: unknown, contextValue: unknown, info: GraphQLResolveInfo, abstractType: GraphQLAbstractType): unknown {
  if (value !== null && typeof value === "object" && typeof (value as { __typename?: unknown }).__typename === "string") {
    return (value as { __typename: string }).__typename;
  }
  const possibleTypes = info.schema.getPossibleTypes(abstractType);
  const pending: Array<PromiseLike<unknown> | undefined> = [];
  let anyPending = false;
  for (let i = 0; i < possibleTypes.length; i++) {
    const type = possibleTypes[i]!;
    if (type.isTypeOf) {
      const result = type.isTypeOf(value, contextValue, info);
      if (isPromiseLike(result)) {
        pending[i] = result;
        anyPending = true;
      } else if (result) {
        return type.name;
      }
    }
  }
  if (anyPending) {
    return Promise.all(pending).then((results) => {
      for (let i = 0; i < results.length; i++) if (results[i]) return possibleTypes[i]!.name;
      return undefined;
    });
  }
  return undefined;
}

/** graphql-js's checks on what resolveType returned, with its messages. */
function ensureValidRuntimeType(name: unknown, abstractType: GraphQLAbstractType, field: FieldContext, value: unknown): GraphQLObjectType {
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
 * The concrete type name of each entry of an abstract field: `resolveType`, the request's `typeResolver`,
 * or `__typename`/`isTypeOf`; then the concrete type's `isTypeOf`, as graphql-js checks it.
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
        const info = buildResolveInfo(this.field, request, entryPaths[i]);
        const name = resolveType(value, request.contextValue, info, abstractType);
        out[i] = isPromiseLike(name)
          ? Promise.resolve(name).then((n) => this.complete(n, value, request, info))
          : this.complete(name, value, request, info);
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  private complete(name: unknown, value: unknown, request: RequestInfo, info: GraphQLResolveInfo): unknown {
    const type = ensureValidRuntimeType(name, this.abstractType, this.field, value);
    if (!type.isTypeOf) return type.name;
    const ok = type.isTypeOf(value, request.contextValue, info);
    if (isPromiseLike(ok)) {
      return Promise.resolve(ok).then((r) => {
        if (!r) throw invalidReturnTypeError(type, value, this.field);
        return type.name;
      });
    }
    if (!ok) throw invalidReturnTypeError(type, value, this.field);
    return type.name;
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
