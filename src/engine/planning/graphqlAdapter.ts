// GraphqlAdapter: the one module that knows graphql-js 16 from 17 (spec/graphql-versions.md) where their APIs
// differ — the variable-values shape, argument and directive coercion, the resolve info. The engine keeps
// variables as a plain coerced map on both majors; only this module turns it into 17's shape. Nothing else in
// the engine imports the APIs named here; never holds per-entry state.

import * as graphql from "graphql";
import {
  GraphQLError,
  assertValidSchema,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  versionInfo,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLDirective,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from "graphql";

/** The installed graphql-js major (16 or 17). */
export const GRAPHQL_MAJOR: number = versionInfo.major;
const V17 = GRAPHQL_MAJOR >= 17;

/** graphql 17's `@defer` and `@stream` (graphql-js reads them whether or not the schema declares them); null on 16. */
export const DEFER_DIRECTIVE: GraphQLDirective | null = (graphql as unknown as { GraphQLDeferDirective?: GraphQLDirective }).GraphQLDeferDirective ?? null;
export const STREAM_DIRECTIVE: GraphQLDirective | null = (graphql as unknown as { GraphQLStreamDirective?: GraphQLDirective }).GraphQLStreamDirective ?? null;

/** Coerced variable values as the engine keeps them: name → value, on both majors. */
export type VariableMap = { readonly [name: string]: unknown };

/** graphql 17's VariableValues: the coerced map and, per variable, where its value came from. */
interface VariableValues17 {
  readonly sources: { readonly [name: string]: unknown };
  readonly coerced: VariableMap;
}

type CoercedOrErrors = { coerced: { [name: string]: unknown }; errors?: undefined } | { errors: readonly GraphQLError[]; coerced?: undefined };

// graphql 17 only: the VariableValues behind a coerced map, or how to make it (a map read by FastVariables has no
// sources until something asks). Keyed by the map itself, so it lives exactly as long as the request's variables.
const versioned = new WeakMap<object, VariableValues17 | (() => VariableValues17)>();
const NO_SOURCES: { readonly [name: string]: unknown } = Object.freeze(Object.create(null));

/**
 * spec: AssertExecutionArguments — graphql-js's checks of execute's own arguments, thrown as the installed major
 * throws them. 16 asserts a document, a valid schema and object-like variables, in that order. 17 asserts none
 * of its own: a missing schema or document fails at its first property read (a TypeError with that read's
 * message), the schema is validated, and variables are read as they are.
 */
export function assertExecutionArguments(schema: GraphQLSchema, document: DocumentNode, variableValues: unknown): void {
  if (V17) {
    void schema.getDirective; // graphql 17's execute reads it first (its check for @defer/@stream)
    assertValidSchema(schema);
    void document.definitions;
    return;
  }
  if (!document) throw new Error("Must provide document.");
  assertValidSchema(schema);
  // Object-like, as graphql-js asks: an array passes (its named variables are simply not given).
  if (variableValues != null && typeof variableValues !== "object") {
    throw new Error(
      "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided.",
    );
  }
}

/** spec: CoerceVariableValues — graphql-js's getVariableValues, answered in one shape on both majors. */
export function coerceVariableValues(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: VariableMap,
  options?: { maxErrors?: number; hideSuggestions?: boolean },
): CoercedOrErrors {
  const result = (getVariableValues as (...args: unknown[]) => Record<string, unknown>)(schema, definitions, inputs, options);
  if (result.errors) return { errors: result.errors as readonly GraphQLError[] };
  if (!V17) return { coerced: result.coerced as { [name: string]: unknown } };
  const values = result.variableValues as VariableValues17;
  versioned.set(values.coerced, values);
  return { coerced: values.coerced as { [name: string]: unknown } };
}

/**
 * The RangeError variable coercion's recursion threw for a value nested too deeply, as 16 lets it through:
 * 17 returns it wrapped, a GraphQLError with no location whose message is the cause's. Any other error as given.
 */
export function thrownWhileCoercing(error: unknown): unknown {
  if (!V17 || !(error instanceof GraphQLError) || error.locations !== undefined) return error;
  const cause = error.originalError;
  return cause instanceof RangeError && cause.message === error.message ? cause : error;
}

/**
 * A map coerced without graphql-js (FastVariables): on graphql 17 remember the inputs it came from, so the
 * VariableValues that arguments, directives and resolvers see is graphql-js's own, built once when first asked.
 */
export function rememberVariableInputs(coerced: VariableMap, schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], inputs: VariableMap): void {
  if (!V17) return;
  versioned.set(coerced, () => {
    const result = (getVariableValues as (...args: unknown[]) => Record<string, unknown>)(schema, definitions, inputs);
    return (result.variableValues as VariableValues17 | undefined) ?? { sources: NO_SOURCES, coerced };
  });
}

/** spec: VariableValuesFor — the variables as the installed graphql-js takes them: the map (16), VariableValues (17). */
export function variableValuesFor(variables: VariableMap): GraphQLResolveInfo["variableValues"] {
  if (!V17) return variables as unknown as GraphQLResolveInfo["variableValues"];
  let found = versioned.get(variables);
  if (typeof found === "function") versioned.set(variables, (found = found()));
  // A map the engine made itself (no variables declared, literal-only arguments): nothing came from a request.
  return (found ?? { sources: NO_SOURCES, coerced: variables }) as unknown as GraphQLResolveInfo["variableValues"];
}

/**
 * How `subscribe` treats what graphql 17 checks differently: an operation that is not a subscription throws
 * (16 runs it on the subscription type), and a source that is not a stream is a field error in `{ errors }`
 * (16 rejects). Called once the request's variables are coerced, as graphql 17 checks.
 */
export function assertSubscriptionOperation(operation: OperationDefinitionNode): void {
  if (V17 && operation.operation !== "subscription") throw new GraphQLError("Expected subscription operation.");
}
export const SOURCE_NOT_A_STREAM_IS_FIELD_ERROR = V17;

/** Whether a subscription's response stream is graphql 17's async generator over the source (MapEvents17). */
export const SUBSCRIPTION_STREAM_IS_ASYNC_GENERATOR = V17;

/**
 * spec: MapEvents17 — a subscription's response stream as graphql 17 makes it (`mapAsyncIterable`): an async
 * generator over the source (`for await`, each event mapped by `fn`) — so a done result has no value and
 * calls queue — whose `return()`/`throw()` first close the source once (its `return`, or `throw` when it has
 * one; errors ignored) unless it already ended, then end the generator (which closes the source again as
 * `for await` leaves it). On graphql 16 the engine maps events itself (MapEvents, subscribe.ts).
 */
export function mapEvents17<T, U>(source: AsyncIterable<T>, fn: (value: T) => U | Promise<U>): AsyncGenerator<U, void, void> {
  const iterator = source[Symbol.asyncIterator]();
  const returnFn = iterator.return?.bind(iterator);
  const throwFn = iterator.throw?.bind(iterator);
  const ignoringErrors = async (call: () => unknown): Promise<void> => {
    try {
      await call();
    } catch {
      // as graphql 17: closing the source never fails the stream
    }
  };
  const onReturn = returnFn ? () => ignoringErrors(returnFn) : () => Promise.resolve();
  const onThrow = throwFn ? (reason: unknown) => ignoringErrors(() => throwFn(reason)) : onReturn;
  const generator = (async function* () {
    for await (const value of source) yield await fn(value);
  })();
  let completed = false;
  let closeRequested = false;
  const closeOnce = (close: () => Promise<void>): Promise<void> | undefined => {
    if (completed || closeRequested) return undefined;
    closeRequested = true;
    return close().catch(() => undefined);
  };
  const stream = {
    [Symbol.asyncIterator]() {
      return stream;
    },
    next() {
      const result = generator.next();
      result.then((iteration) => void (iteration.done && (completed = true))).catch(() => undefined);
      return result;
    },
    async return() {
      await closeOnce(onReturn);
      return generator.return(undefined);
    },
    async throw(error: unknown) {
      await closeOnce(() => onThrow(error));
      return generator.throw(error);
    },
    async [Symbol.asyncDispose]() {
      await closeOnce(onReturn);
      await generator.return(undefined);
    },
  };
  return stream as unknown as AsyncGenerator<U, void, void>;
}

/**
 * How the installed graphql-js completes values that were promises, and objects that fail (spec/output.md):
 * graphql 17 completes a promised value in an async function (`await`, then `await` the completion, the field
 * error handled inside it) where 16 chains `.then(complete).then(undefined, handle)`, so the turns at which
 * errors are recorded differ; and when a field of an object fails at a non-null position, 17 passes the error
 * up at once (the object's pending fields are left to settle unobserved) where 16 waits for them first.
 */
export const COMPLETES_PROMISES_IN_ASYNC_FUNCTIONS = V17;
export const OBJECT_FAILS_WITHOUT_WAITING = V17;

/**
 * graphql-js's checks on what `resolveType` gave: 16 refuses a GraphQLObjectType with a message of its own (17
 * treats it as any other value that is not a name), and 17's message for a value that is not a name ends
 * ", which is not a valid Object type name." where 16's ends ".".
 */
export const REFUSES_OBJECT_TYPE_FROM_RESOLVE_TYPE = !V17;
export const NOT_A_TYPE_NAME_ENDING = V17 ? ", which is not a valid Object type name." : ".";

/** graphql-js's default type resolver, when an isTypeOf throws while others are pending: 16 waits for them first, 17 throws at once. */
export const DEFAULT_TYPE_RESOLVER_WAITS_BEFORE_THROWING = !V17;

/**
 * Whether graphql-js collects an object's sub-fields (where a bad @skip/@include fails) before calling its
 * type's `isTypeOf` (16), or after `isTypeOf` held (17: a failing directive is not reached when the check fails).
 */
export const COLLECTS_SUBFIELDS_BEFORE_IS_TYPE_OF = !V17;

/**
 * A list read from an iterable that fails at a non-null item: 16 stops reading there (closing the iterator);
 * 17 reads the rest of it (for the promises among the items, which it leaves to settle) and then fails it.
 */
export const READS_THE_REST_OF_A_FAILED_LIST = V17;

/** The leaf type method graphql-js's errors name for output coercion: 17 renamed `serialize` `coerceOutputValue`. */
export const OUTPUT_COERCION_NAME = V17 ? "coerceOutputValue" : "serialize";

/**
 * spec: SetScalarFunction — gives a built scalar its own `serialize`/`parseValue`/`parseLiteral` (makeSchema's
 * resolvers). 17's constructor copies `serialize` into `coerceOutputValue` and `parseValue` into
 * `coerceInputValue`, which its execution and coercion call: on 17 the copy is set as well, else the scalar's
 * function would never run. 17 calls `parseLiteral` itself when there is no `coerceInputLiteral`.
 */
export function setScalarFunction(scalar: object, name: "serialize" | "parseValue" | "parseLiteral", fn: unknown): void {
  const target = scalar as Record<string, unknown>;
  target[name] = fn;
  if (V17 && name === "serialize") target.coerceOutputValue = fn;
  if (V17 && name === "parseValue") target.coerceInputValue = fn;
}

/** graphql-js's getArgumentValues for a field (or directive) node, with the engine's variables. */
export function argumentValues(def: GraphQLField<unknown, unknown> | GraphQLDirective, node: FieldNode | DirectiveNode, variables: VariableMap): { [name: string]: unknown } {
  return (getArgumentValues as (...args: unknown[]) => { [name: string]: unknown })(def, node, variableValuesFor(variables));
}

/** graphql-js's getDirectiveValues (e.g. @skip/@include on a selection), with the engine's variables. */
export function directiveValues(directive: GraphQLDirective, node: { readonly directives?: readonly DirectiveNode[] }, variables: VariableMap): { [name: string]: unknown } | undefined {
  return (getDirectiveValues as (...args: unknown[]) => { [name: string]: unknown } | undefined)(directive, node, variableValuesFor(variables));
}

/**
 * What graphql 17's resolve info adds to 16's: the request's abort signal and the async-work helpers; made once
 * per request (the request the engine hands its steps carries the caller's signal as `callerSignal`).
 */
export function resolveInfoExtras(request: object): object | null {
  if (!V17) return null;
  let extras = infoExtras.get(request);
  if (extras === undefined) {
    const signal = (request as { readonly callerSignal?: AbortSignal | null }).callerSignal ?? undefined;
    infoExtras.set(request, (extras = { getAbortSignal: () => signal, getAsyncHelpers: () => ASYNC_HELPERS }));
  }
  return extras;
}
const infoExtras = new WeakMap<object, object>();
// The engine waits for what resolvers return itself; tracked work has nothing more to delay.
const ASYNC_HELPERS = Object.freeze({ promiseAll: <T>(values: ReadonlyArray<PromiseLike<T> | T>) => Promise.all(values), track: () => undefined });

// graphql 17 keeps an argument's (or input field's) default as `default: { literal } | { value }`, coerced when
// used; `defaultValue` is left for configs that still give it. Coerced once per argument, as graphql-js memoizes it.
const coercedDefaults = new WeakMap<object, unknown>();
type Default17 = { readonly literal?: unknown; readonly value?: unknown } | undefined;

/** Whether an argument (or input field) has a default: 16's `defaultValue`, 17's `default` (or a config's `defaultValue`). */
export function hasDefaultValue(arg: GraphQLArgument | GraphQLInputField): boolean {
  return arg.defaultValue !== undefined || (V17 && (arg as unknown as { readonly default: Default17 }).default !== undefined);
}

/**
 * spec: CoerceInputWithProblems — an input value coerced to a type, with the messages of what does not fit it:
 * 16's `coerceInputValue` reports them to a callback; 17's only answers undefined, and `validateInputValue` names them.
 */
export function coerceInputWithProblems(value: unknown, type: GraphQLInputType): { value: unknown; problems: string[] } {
  const problems: string[] = [];
  const api = graphql as unknown as Record<string, (...args: unknown[]) => unknown>;
  if (!V17) {
    const coerced = api.coerceInputValue!(value, type, (_path: unknown, _invalid: unknown, error: GraphQLError) => void problems.push(error.message));
    return { value: coerced, problems };
  }
  api.validateInputValue!(value, type, (error: GraphQLError) => void problems.push(error.message));
  return { value: problems.length > 0 ? undefined : api.coerceInputValue!(value, type), problems };
}

/** An argument's or input field's default value, coerced (undefined when it has none), on both majors. */
export function defaultValueOf(arg: GraphQLArgument | GraphQLInputField): unknown {
  if (!V17) return arg.defaultValue;
  const given = (arg as unknown as { readonly default: Default17 }).default;
  if (given === undefined) return arg.defaultValue;
  if (coercedDefaults.has(arg)) return coercedDefaults.get(arg);
  const coerce = graphql as unknown as Record<string, (input: unknown, type: unknown) => unknown>;
  const value = given.literal !== undefined ? coerce.coerceInputLiteral!(given.literal, arg.type) : coerce.coerceInputValue!(given.value, arg.type);
  coercedDefaults.set(arg, value);
  return value;
}
