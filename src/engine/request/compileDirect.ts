// CompileDirect: DirectRun's selections as generated functions, once per plan — an object literal with the
// response keys in order, a default resolver's property read with its name in the code, a leaf of a built-in
// scalar taken as it is when it has the scalar's own kind — so each selection has call sites and shapes of
// its own (as graphql-jit compiles a query). No user text is spliced into the code: keys, names and type
// names go through JSON.stringify. What the code does not do itself, the run's methods do.

import type { GraphQLLeafType } from "graphql";
import { fastLeafTest } from "../output/codegen.js";
import { completeLeafValue } from "../output/context.js";
import type { Path } from "../planning/resolveInfo.js";

/**
 * A selection's fields over a source at a path, as one generated function: `path` undefined at the root,
 * null where no path was made (no field below has a `resolve` of its own).
 */
export type Select = (run: SelectRun, source: unknown, path: Path | undefined | null) => Record<string, unknown>;

/** What generated code calls on the run (DirectRun implements it). */
export interface SelectRun {
  call(field: CompiledField, source: unknown, path: Path): unknown;
  method(field: CompiledField, source: unknown, path: Path | null): unknown;
  await(promise: Promise<unknown>, value: CompiledValue, path: Path | undefined | null, target: Record<string, unknown>, at: string): void;
  complete(value: CompiledValue, raw: unknown, path: Path | undefined | null): unknown;
  leaf(value: CompiledValue, raw: unknown): unknown;
  unclean(): never;
}

/** What CompileDirect reads of a field (DirectRun's DirectField). */
export interface CompiledField {
  readonly key: string;
  /** null for `__typename`. */
  readonly fieldName: string | null;
  /** Whether the field has a `resolve` of its own (else graphql-js's default resolver). */
  readonly resolves: boolean;
  /** Whether a field below has a `resolve` of its own (the field's path is made for it). */
  readonly deep: boolean;
  readonly value: CompiledValue | null;
}

/** What CompileDirect reads of a value's completion. */
export interface CompiledValue {
  readonly kind: "leaf" | "list" | "object";
  readonly nonNull: boolean;
  /** A leaf's type (for its fast test). */
  readonly type?: GraphQLLeafType;
}

/** How many selections CompileDirect has generated in this process (tests count them per plan). */
export const directCompilations = { selections: 0 };

/**
 * spec: CompileDirect — the generated function of one selection of type `typename` (its fields `fields`), or
 * null when the runtime refuses code made from strings.
 */
export function compileDirect(fields: readonly CompiledField[], typename: string, root: boolean): Select | null {
  const tn = JSON.stringify(typename);
  let literal = "";
  let body = "";
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k]!;
    const key = JSON.stringify(field.key);
    literal += `${key}: ${field.fieldName === null ? tn : "null"}, `;
    if (field.fieldName === null) continue;
    body += fieldCode(field, k, key, tn, root);
  }
  const code = `return function select(run, s, path) {\n  const o = { ${literal}};\n  let v, p, t;\n${body}  return o;\n};`;
  try {
    const made = new Function("F", code)(fields) as Select;
    directCompilations.selections++;
    return made;
  } catch {
    return null;
  }
}

/** The statements that read field `k` into `v` and complete it into `o[key]`. */
function fieldCode(field: CompiledField, k: number, key: string, tn: string, root: boolean): string {
  const value = field.value!;
  const newPath = `{ prev: path, key: ${key}, typename: ${tn} }`;
  let code = "";
  if (field.resolves) code += `  p = ${newPath};\n  v = run.call(F[${k}], s, p);\n`;
  else {
    code += `  p = ${field.deep ? newPath : "null"};\n`;
    code += `  v = ${root ? "s == null ? undefined : " : ""}s[${JSON.stringify(field.fieldName)}];\n`;
    // A method needs its path: none is made below a subtree without resolvers (null), and the run hands over.
    code += `  if (typeof v === "function") v = run.method(F[${k}], s, p !== null ? p : path !== null ? ${newPath} : null);\n`;
  }
  code += `  if (v instanceof Promise) run.await(v, F[${k}].value, p, o, ${key});\n`;
  code += `  else o[${key}] = ${completion(value, k)};\n`;
  return code;
}

/** The expression completing `v` (a leaf inline, the rest by the run). */
function completion(value: CompiledValue, k: number): string {
  const absent = value.nonNull ? "run.unclean()" : "null";
  if (value.kind !== "leaf") return `v == null ? ${absent} : run.complete(F[${k}].value, v, p)`;
  const fast = fastLeafTest(value.type!);
  return `(t = v) == null ? ${absent} : ${fast === null ? "" : `${fast} ? t : `}run.leaf(F[${k}].value, t)`;
}

/** Thrown inside a run at its first unclean value: the run stops and hands over. */
export const UNCLEAN: unique symbol = Symbol("unclean");

/**
 * A leaf's value as CompleteLeafValue completes it, or unclean: an object or function (its `valueOf`/`toJSON`
 * is user code the general executor calls itself), a symbol, or a value its scalar refuses.
 */
export function leaf(type: GraphQLLeafType, raw: unknown): unknown {
  const kind = typeof raw;
  if (kind === "object" || kind === "function" || kind === "symbol") throw UNCLEAN;
  try {
    return completeLeafValue(type, raw);
  } catch {
    throw UNCLEAN;
  }
}
