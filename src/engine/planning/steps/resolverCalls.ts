// CompileResolverCalls: for one Resolver step (so once per plan), a function generated with `new Function`
// that runs the step's batch — the loop over entries with the field's resolver call, its `args`, its `info`
// and the settling of its value written out for this field (as graphql-jit compiles a resolver call): a
// default resolver is a property read of a name fixed in the code, `info` an object literal with its path
// built only when a resolver is called, `args` a copy of arguments coerced once (SharedArguments), and a
// leaf's promise handed to the executor as it is. Each generated function has call sites of its own, which
// see one resolver and one shape of source. No user text is spliced into the code: names go through
// JSON.stringify. Without `new Function`, ResolverStep's own loop runs (spec/resolver-emulation.md).

import { isLeafType, getNamedType, type GraphQLField, type GraphQLFieldResolver } from "graphql";
import type { RequestInfo } from "../../step.js";
import { fail } from "../../flags.js";
import { generatedCodeAllowed } from "../generatedCode.js";
import { resolveInfoExtras, variableValuesFor } from "../graphqlAdapter.js";
import type { FieldContext, ResolverExecutionDetails } from "../resolveInfo.js";
import { argumentsForCall, argumentsModeOf, sharedArguments } from "./resolverArguments.js";

/** The batch of one Resolver step: one result (or promise, or error flag) per entry. */
export type ResolverCalls = (count: number, sources: readonly unknown[], request: RequestInfo, details: ResolverExecutionDetails) => unknown[];

/** What CompileResolverCalls needs of a Resolver step. */
export interface ResolverCallsInput {
  readonly field: FieldContext;
  readonly fieldDef: GraphQLField<unknown, unknown>;
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | null;
  readonly listDepth: number;
}

/** Settles a resolver's value (SettleResolvedValue) for a field `depth` lists deep. */
export type Settle = (value: unknown, depth: number, nonNullItems: number) => unknown;

let compilations = 0;

/** How many step functions CompileResolverCalls has generated in this process (tests count them per plan). */
export function resolverCallsCompiled(): number {
  return compilations;
}

/**
 * spec: CompileResolverCalls — the step's generated batch function, or null when the runtime refuses code
 * made from strings (or the schema turned generated code off): the step's own loop runs then.
 */
export function compileResolverCalls(step: ResolverCallsInput, nonNullItems: number, settle: Settle): ResolverCalls | null {
  const { field, fieldDef, resolve, listDepth } = step;
  if (!generatedCodeAllowed(field.schema) || field.atListItem) return null;
  const node = field.fieldNodes[0]!;
  const mode = argumentsModeOf(fieldDef, node);
  // A leaf's value goes to the executor as it is: it awaits a promise, and the output fails an Error value
  // (resolver semantics). Values with a subtree are settled first, so the layers below see plain values.
  const leaf = listDepth === 0 && isLeafType(getNamedType(fieldDef.type));
  const settled = (x: string): string =>
    leaf ? `(${x} instanceof Error ? fail(${x}) : ${x})` : `settle(${x}, ${listDepth}, ${nonNullItems})`;
  const args = mode === "none" ? "{}" : "argumentsForCall(shared, fieldDef, node, request)";
  const info =
    `{ fieldName: ${JSON.stringify(field.fieldName)}, fieldNodes: field.fieldNodes, returnType: field.returnType, ` +
    `parentType: field.parentType, path: { prev: (paths ??= details.entryPaths())[i], key: ${JSON.stringify(field.responseKey)}, ` +
    `typename: ${JSON.stringify(field.parentType.name)} }, schema: field.schema, fragments: field.fragments, rootValue: request.rootValue, ` +
    `operation: field.operation, variableValues }`;
  const makeInfo = `(extras === null ? ${info} : Object.assign(${info}, extras))`;
  const call =
    resolve === null
      ? // graphql-js's default field resolver: the property, or a method called with (args, context, info).
        `const s = sources[i];\n      if (s !== null && (typeof s === "object" || typeof s === "function")) {\n` +
        `        ${mode === "none" ? "" : `const a = ${args};\n        `}const p = s[${JSON.stringify(field.fieldName)}];\n` +
        `        if (typeof p === "function") { const v = s[${JSON.stringify(field.fieldName)}](${mode === "none" ? "{}" : "a"}, contextValue, ${makeInfo}); out[i] = ${settled("v")}; }\n` +
        `        else out[i] = ${settled("p")};\n      } else out[i] = undefined;`
      : `const v = resolve(sources[i], ${args}, contextValue, ${makeInfo});\n      out[i] = ${settled("v")};`;
  const code =
    `return function resolverCalls(count, sources, request, details) {\n` +
    `  const out = new Array(count);\n  const contextValue = request.contextValue;\n` +
    `  const variableValues = variableValuesFor(request.variableValues);\n  const extras = resolveInfoExtras(request);\n` +
    `  const shared = ${mode === "none" ? "undefined" : "sharedArguments(mode, fieldDef, node, request)"};\n  let paths = null;\n` +
    `  for (let i = 0; i < count; i++) {\n    try {\n      ${call}\n    } catch (error) {\n      out[i] = fail(error);\n    }\n  }\n  return out;\n};`;
  let made: ResolverCalls;
  try {
    made = new Function(
      "field", "fieldDef", "node", "resolve", "mode", "settle", "fail", "variableValuesFor", "resolveInfoExtras", "sharedArguments", "argumentsForCall",
      code,
    )(field, fieldDef, node, resolve, mode, settle, fail, variableValuesFor, resolveInfoExtras, sharedArguments, argumentsForCall) as ResolverCalls;
  } catch {
    return null;
  }
  compilations++;
  return made;
}
