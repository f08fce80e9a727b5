// CompileResolverCalls: for one Resolver step (so once per plan), a function generated with `new Function`
// that runs the step's batch — the loop over entries with the field's resolver call, its `args`, its `info`
// and the settling of its value written out for this field (as graphql-jit compiles a resolver call): a
// default resolver is a property read of a name fixed in the code, `info` an object literal with its path
// built only when a resolver is called, `args` a copy of arguments coerced once (SharedArguments), and a
// leaf's promise handed to the executor as it is. CompileResolverGroup writes the same calls for several
// Resolver steps of one layer over one source, entry by entry (ResolverGroup, execution). Each generated
// function has call sites of its own, which see one resolver and one shape of source. No user text is
// spliced into the code: names go through JSON.stringify. Without `new Function`, ResolverStep's own loop
// runs (spec/resolver-emulation.md).

import { isLeafType, getNamedType, type FieldNode, type GraphQLField, type GraphQLFieldResolver } from "graphql";
import type { RequestInfo } from "../../step.js";
import { fail } from "../../flags.js";
import { generatedCodeAllowed } from "../generatedCode.js";
import { resolveInfoExtras, variableValuesFor } from "../graphqlAdapter.js";
import type { FieldContext, Path, ResolverExecutionDetails } from "../resolveInfo.js";
import { argumentsForCall, argumentsModeOf, sharedArguments, type ArgumentsMode } from "./resolverArguments.js";

/** The batch of one Resolver step: one result (or promise, or error flag) per entry. */
export type ResolverCalls = (count: number, sources: readonly unknown[], request: RequestInfo, details: ResolverExecutionDetails) => unknown[];

/**
 * The batches of a group of Resolver steps over one source: one list of results per step, in the group's
 * order. `paths(bucket)` gives the entries' paths (EntryPaths), asked on the first call that needs an `info`
 * (no closure per run).
 */
export type ResolverGroupCalls = <B>(count: number, sources: readonly unknown[], request: RequestInfo, bucket: B, paths: (bucket: B) => ReadonlyArray<Path | undefined>) => unknown[][];

/** What CompileResolverCalls needs of a Resolver step. */
export interface ResolverCallsInput {
  readonly field: FieldContext;
  readonly fieldDef: GraphQLField<unknown, unknown>;
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | null;
  readonly listDepth: number;
  /** Which list levels have non-null items (bit L for the L-th list, outermost first). */
  readonly nonNullItems: number;
}

/** Settles a resolver's value (SettleResolvedValue) for a field `depth` lists deep. */
export type Settle = (value: unknown, depth: number, nonNullItems: number) => unknown;

let compilations = 0;
let groupCompilations = 0;

/** How many step functions CompileResolverCalls has generated in this process (tests count them per plan). */
export function resolverCallsCompiled(): number {
  return compilations;
}

/** How many group functions CompileResolverGroup has generated in this process (tests count them per plan). */
export function resolverGroupsCompiled(): number {
  return groupCompilations;
}

/** Whether a Resolver step's calls can be generated at all: generated code allowed, and not the checks of a list item. */
export function resolverCallsFit(step: { readonly field: FieldContext }): boolean {
  return generatedCodeAllowed(step.field.schema) && !step.field.atListItem;
}

/** One member's facts, handed to the generated code by position. */
interface MemberFacts {
  readonly field: FieldContext;
  readonly fieldDef: GraphQLField<unknown, unknown>;
  readonly node: FieldNode;
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | null;
  readonly mode: ArgumentsMode;
  /** Constant mode: the shared arguments, kept on the first batch (they read no variable: the same for every request). */
  constant: Readonly<Record<string, unknown>> | undefined;
}

/** A single step's entry paths: its details' (one function for every step, no closure per batch). */
function detailsPaths(details: ResolverExecutionDetails): ReadonlyArray<Path | undefined> {
  return details.entryPaths();
}

/**
 * The statement that calls member `k` for entry `i` of `sources` and writes `out{k}[i]`. `group`: the
 * group's function, whose caller (RunResolverGroup) settles a promise of a field that is no list itself.
 */
function entryCall(step: ResolverCallsInput, k: number, mode: ArgumentsMode, group: boolean): string {
  const { field, fieldDef, resolve, listDepth, nonNullItems } = step;
  const m = `m${k}`;
  // A leaf's value goes to the executor as it is: it awaits a promise, and the output fails an Error value
  // (resolver semantics). Values with a subtree are settled first, so the layers below see plain values —
  // in a group, a native promise of an object (no list) goes as it is: the group awaits it and fails a
  // resolved Error (SettleGroupPromise), one promise and one turn fewer than SettleResolvedValue's.
  const leaf = listDepth === 0 && isLeafType(getNamedType(fieldDef.type));
  const settled = (x: string): string =>
    leaf
      ? `(${x} instanceof Error ? fail(${x}) : ${x})`
      : group && listDepth === 0
        ? `(${x} instanceof Promise ? ${x} : settle(${x}, 0, 0))`
        : `settle(${x}, ${listDepth}, ${nonNullItems})`;
  // Variables mode: the batch's coerced object is fresh (made for this batch), so its last call takes it
  // itself — the calls before it took their copies already, so none sees what that call does to it.
  const copy = `argumentsForCall(shared${k}, ${m}.fieldDef, ${m}.node, request)`;
  const args = mode === "none" ? "{}" : mode === "variables" ? `(i === count - 1 && shared${k} !== undefined ? shared${k} : ${copy})` : copy;
  const info =
    `{ fieldName: ${JSON.stringify(field.fieldName)}, fieldNodes: ${m}.field.fieldNodes, returnType: ${m}.field.returnType, ` +
    `parentType: ${m}.field.parentType, path: { prev: (paths ??= entryPaths(bucket))[i], key: ${JSON.stringify(field.responseKey)}, ` +
    `typename: ${JSON.stringify(field.parentType.name)} }, schema: ${m}.field.schema, fragments: ${m}.field.fragments, rootValue: request.rootValue, ` +
    `operation: ${m}.field.operation, variableValues }`;
  const makeInfo = `(extras === null ? ${info} : Object.assign(${info}, extras))`;
  const name = JSON.stringify(field.fieldName);
  const body =
    resolve === null
      ? // graphql-js's default field resolver: the property, or a method called with (args, context, info).
        `const s = sources[i];\n      if (s !== null && (typeof s === "object" || typeof s === "function")) {\n` +
        `        ${mode === "none" ? "" : `const a = ${args};\n        `}const p = s[${name}];\n` +
        `        if (typeof p === "function") { const v = s[${name}](${mode === "none" ? "{}" : "a"}, contextValue, ${makeInfo}); out${k}[i] = ${settled("v")}; }\n` +
        `        else out${k}[i] = ${settled("p")};\n      } else out${k}[i] = undefined;`
      : `const v = resolve${k}(sources[i], ${args}, contextValue, ${makeInfo});\n      out${k}[i] = ${settled("v")};`;
  return `    try {\n      ${body}\n    } catch (error) {\n      out${k}[i] = fail(error);\n    }\n`;
}

/**
 * The generated batch over `steps` (one source, one entry loop calling each step in order), made by
 * `new Function`, or null when the runtime refuses it. `single`: the one-step function (ResolverCalls),
 * else the group's (ResolverGroupCalls).
 */
function generate(steps: readonly ResolverCallsInput[], settle: Settle, single: boolean): ((...args: never[]) => unknown) | null {
  const members: MemberFacts[] = steps.map((s) => {
    const node = s.field.fieldNodes[0]!;
    return { field: s.field, fieldDef: s.fieldDef, node, resolve: s.resolve, mode: argumentsModeOf(s.fieldDef, node), constant: undefined };
  });
  let head = "";
  let loop = "";
  for (let k = 0; k < members.length; k++) {
    const { mode, resolve } = members[k]!;
    head +=
      `  const m${k} = members[${k}];\n  const out${k} = new Array(count);\n` +
      (resolve === null ? "" : `  const resolve${k} = m${k}.resolve;\n`) +
      (mode === "none"
        ? ""
        : mode === "constant"
          ? `  const shared${k} = m${k}.constant ?? (m${k}.constant = sharedArguments(m${k}.mode, m${k}.fieldDef, m${k}.node, request));\n`
          : `  const shared${k} = sharedArguments(m${k}.mode, m${k}.fieldDef, m${k}.node, request);\n`);
    loop += entryCall(steps[k]!, k, mode, !single);
  }
  const code =
    `return function ${single ? "resolverCalls(count, sources, request, details)" : "resolverGroupCalls(count, sources, request, bucket, entryPaths)"} {\n` +
    (single ? "  const bucket = details, entryPaths = detailsPaths;\n" : "") +
    `  const contextValue = request.contextValue;\n` +
    `  const variableValues = variableValuesFor(request.variableValues);\n  const extras = resolveInfoExtras(request);\n  let paths = null;\n` +
    head +
    `  for (let i = 0; i < count; i++) {\n${loop}  }\n` +
    `  return ${single ? "out0" : `[${members.map((_, k) => `out${k}`).join(", ")}]`};\n};`;
  try {
    return new Function("members", "settle", "fail", "variableValuesFor", "resolveInfoExtras", "sharedArguments", "argumentsForCall", "detailsPaths", code)(
      members,
      settle,
      fail,
      variableValuesFor,
      resolveInfoExtras,
      sharedArguments,
      argumentsForCall,
      detailsPaths,
    ) as (...args: never[]) => unknown;
  } catch {
    return null;
  }
}

/**
 * spec: CompileResolverCalls — the step's generated batch function, or null when the runtime refuses code
 * made from strings (or the schema turned generated code off): the step's own loop runs then.
 */
export function compileResolverCalls(step: ResolverCallsInput, settle: Settle): ResolverCalls | null {
  if (!resolverCallsFit(step)) return null;
  const made = generate([step], settle, true);
  if (made === null) return null;
  compilations++;
  return made as unknown as ResolverCalls;
}

/**
 * spec: CompileResolverGroup — one generated function for Resolver steps of one layer over one source:
 * per entry, in order, each step's call as CompileResolverCalls writes it. Null where generated code does
 * not run (the steps then run one by one).
 */
export function compileResolverGroup(steps: readonly ResolverCallsInput[], settle: Settle): ResolverGroupCalls | null {
  if (steps.length === 0 || !steps.every(resolverCallsFit)) return null;
  const made = generate(steps, settle, false);
  if (made === null) return null;
  groupCompilations++;
  return made as unknown as ResolverGroupCalls;
}
