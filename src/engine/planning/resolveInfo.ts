// The response path and graphql-js's `info` for one entry of a field: what resolver emulation passes to
// `resolve`, `resolveType` and `isTypeOf`. Built only for the entries of steps that ask for it (never for
// planned fields), since graphql-js's contract requires one object per call.

import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLFieldResolver,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLResolveInfo,
  GraphQLSchema,
  GraphQLTypeResolver,
  OperationDefinitionNode,
} from "graphql";
import type { ExecutionDetails, RequestInfo } from "../step.js";
import { resolveInfoExtras, variableValuesFor } from "./graphqlAdapter.js";

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
  return resolveInfoAt(field, request.rootValue, path, variableValuesFor(request.variableValues), resolveInfoExtras(request));
}

/**
 * graphql-js's `info` for a call at `path`, given the request's parts (its variables as `info` shows them,
 * graphql 17's getAbortSignal/getAsyncHelpers or null): BuildResolveInfo's object, for callers that read
 * those parts once per request.
 */
export function resolveInfoAt(field: FieldContext, rootValue: unknown, path: Path, variableValues: GraphQLResolveInfo["variableValues"], extras: object | null): GraphQLResolveInfo {
  const info = {
    fieldName: field.fieldName,
    fieldNodes: field.fieldNodes,
    returnType: field.returnType,
    parentType: field.parentType,
    path,
    schema: field.schema,
    fragments: field.fragments as GraphQLResolveInfo["fragments"],
    rootValue,
    operation: field.operation,
    variableValues,
  } as unknown as GraphQLResolveInfo;
  return extras === null ? info : Object.assign(info, extras);
}

/** Internal: the engine passes each entry's response path to the steps that need it. */
export interface ResolverExecutionDetails extends ExecutionDetails {
  entryPaths(): ReadonlyArray<Path | undefined>;
}
