// A seeded query fuzzer over a schema: random selections (aliases, fragments, nesting, introspection), random
// arguments and variables (valid ids, wrong ids, wrong types, huge and negative page sizes, nulls), some
// mutations, and some broken text. Each generated request runs through graphql(); a result counts as bad
// when the call throws, an error has no message, or the result is not GraphQL-shaped.

import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLInputType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { graphql } from "../../src/index.js";

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A text's hash under a salt (a whole number 0 or more): the seeded random suites pick a position's behaviour by it. */
export function saltedHash(text: string, salt: number): number {
  let h = salt | 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** Whole numbers below n and picks from a list, drawn from a [0, 1) source such as prng's. */
export interface Draws {
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function draws(random: () => number): Draws {
  const int = (n: number) => Math.floor(random() * n);
  return { int, pick: (xs) => xs[int(xs.length)]! };
}

export interface FuzzCase {
  source: string;
  variableValues: Record<string, unknown>;
}

export function makeGenerator(schema: GraphQLSchema, ids: readonly string[], seed: number): () => FuzzCase {
  const random = prng(seed);
  const { pick } = draws(random);
  const chance = (p: number): boolean => random() < p;

  function scalarValue(name: string): unknown {
    const roll = random();
    if (roll < 0.08) return null;
    if (name === "ID") return roll < 0.7 ? pick(ids) : pick(["", "x", "00000000-0000-7000-8000-000000000000", "not-a-uuid", 42, "ZZZ".repeat(50)]);
    if (name === "Int") return pick([0, 1, 2, 5, 10, -1, 1000, 1001, 2147483647, -2147483648, 2.5, "3"]);
    if (name === "String") return pick(["", "a", "hello", "x".repeat(200), "\u0000", "\"quoted\"", 7]);
    if (name === "Boolean") return pick([true, false, "true", 1]);
    return pick(["x", 1, true]);
  }

  function inputValue(type: GraphQLInputType): unknown {
    if (isNonNullType(type)) return chance(0.05) ? null : inputValue(type.ofType);
    if (isListType(type)) return chance(0.1) ? null : Array.from({ length: Math.floor(random() * 4) }, () => inputValue(type.ofType));
    if (isScalarType(type)) return scalarValue(type.name);
    if (isEnumType(type)) return pick(type.getValues()).name;
    if (isInputObjectType(type)) return {};
    return null;
  }

  function literal(value: unknown): string {
    if (value === null || value === undefined) return "null";
    if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "object") return "{}";
    return String(value);
  }

  return function generate(): FuzzCase {
    const variableValues: Record<string, unknown> = {};
    const declarations: string[] = [];
    let fieldsLeft = 40;

    function selection(type: GraphQLObjectType, depth: number): string {
      const fields = Object.values(type.getFields());
      const parts: string[] = [];
      const count = 1 + Math.floor(random() * 3);
      for (let n = 0; n < count && fieldsLeft > 0; n++) {
        fieldsLeft--;
        if (chance(0.05)) {
          parts.push("__typename");
          continue;
        }
        const field = pick(fields);
        let text = chance(0.2) ? `a${Math.floor(random() * 5)}: ${field.name}` : field.name;
        const args: string[] = [];
        for (const arg of field.args) {
          if (!isNonNullType(arg.type) && chance(0.5)) continue;
          if (chance(0.3)) {
            const name = `v${declarations.length}`;
            const typeText = String(chance(0.1) ? "Int" : arg.type);
            declarations.push(`$${name}: ${typeText}`);
            if (!chance(0.05)) variableValues[name] = inputValue(arg.type);
            args.push(`${arg.name}: $${name}`);
          } else args.push(`${arg.name}: ${literal(inputValue(arg.type))}`);
        }
        if (args.length > 0) text += `(${args.join(", ")})`;
        const named = getNamedType(field.type);
        if (isObjectType(named)) {
          if (depth > 6 || fieldsLeft <= 0) continue;
          const inner = selection(named, depth + 1);
          text += chance(0.1) ? ` { ... on ${named.name} { ${inner} } }` : ` { ${inner} }`;
        }
        parts.push(text);
      }
      return parts.length > 0 ? parts.join(" ") : "__typename";
    }

    const mutation = schema.getMutationType();
    const root = mutation && chance(0.15) ? mutation : schema.getQueryType()!;
    const body = chance(0.03) ? "__schema { types { name } }" : selection(root, 1);
    let source = `${root === mutation ? "mutation" : "query"}${declarations.length > 0 ? ` (${declarations.join(", ")})` : ""} { ${body} }`;
    if (chance(0.05)) {
      // broken text: a cut, a stray token, or unbalanced braces
      const at = Math.floor(random() * source.length);
      source = pick([source.slice(0, at), `${source.slice(0, at)} } ${source.slice(at)}`, `${source.slice(0, at)}@!$${source.slice(at)}`, "{".repeat(500)]);
    }
    return { source, variableValues };
  };
}

export interface FuzzTally {
  cases: number;
  throws: number;
  errorsWithoutMessage: number;
  notGraphQLShaped: number;
  withErrors: number;
  /** The first bad case, to replay. */
  firstBad: { case: FuzzCase; why: string } | null;
}

/** Whether `result` looks like a GraphQL response: only data/errors/extensions; data an object or null; errors a non-empty list. */
function shapeProblem(result: unknown): string | null {
  if (result === null || typeof result !== "object") return "not an object";
  for (const key of Object.keys(result)) if (key !== "data" && key !== "errors" && key !== "extensions") return `key ${key}`;
  const { data, errors } = result as { data?: unknown; errors?: unknown };
  if (!("data" in result) && errors === undefined) return "neither data nor errors";
  if (data !== undefined && data !== null && typeof data !== "object") return "data is not an object";
  if (errors !== undefined && (!Array.isArray(errors) || errors.length === 0)) return "errors is not a non-empty list";
  JSON.stringify(result);
  return null;
}

export async function runFuzz(schema: GraphQLSchema, contextValue: unknown, ids: readonly string[], seed: number, count: number): Promise<FuzzTally> {
  const generate = makeGenerator(schema, ids, seed);
  const tally: FuzzTally = { cases: 0, throws: 0, errorsWithoutMessage: 0, notGraphQLShaped: 0, withErrors: 0, firstBad: null };
  for (let n = 0; n < count; n++) {
    const fuzzCase = generate();
    tally.cases++;
    let why: string | null = null;
    try {
      const result = await graphql({ schema, source: fuzzCase.source, variableValues: fuzzCase.variableValues, contextValue, onInternalError: () => undefined });
      const problem = shapeProblem(result);
      if (problem !== null) {
        tally.notGraphQLShaped++;
        why = problem;
      }
      if (result.errors) {
        tally.withErrors++;
        for (const error of result.errors) {
          if (typeof error.message !== "string" || error.message.length === 0) {
            tally.errorsWithoutMessage++;
            why = "an error without a message";
          }
        }
      }
    } catch (error) {
      tally.throws++;
      why = `threw ${String(error)}`;
    }
    if (why !== null && tally.firstBad === null) tally.firstBad = { case: fuzzCase, why };
  }
  return tally;
}
