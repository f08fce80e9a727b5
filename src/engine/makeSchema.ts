// makeSchema({ typeDefs, plans }): an SDL schema whose fields carry plan resolvers. The result is a plain
// graphql-js GraphQLSchema: fields with a plan keep it in `extensions.graphscale.plan`, so code-first
// schemas can attach plans the same way. A field may also take a graphql-js `resolve` here.

import {
  GraphQLSchema,
  assertValidSchema,
  isDirective,
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  parse,
  type DocumentNode,
  type GraphQLDirective,
  type GraphQLIsTypeOfFn,
  type GraphQLTypeResolver,
} from "graphql";
import { resolveLimits, type Limits } from "./limits.js";
import { setScalarFunction } from "./planning/graphqlAdapter.js";
import { inspect } from "./inspect.js";
import { executeSync } from "./request/execute.js";
import { exportPlan, importPlan, prepareSchemaForImport } from "./planExport/index.js";
import { WARM_UP_LOADS_FUNCTIONS, WARM_UP_LOADS_KINDS, WARM_UP_LOADS_OPERATION, WARM_UP_LOADS_TYPE_DEFS, warmUpDocumentText, warmUpLoadsText } from "./planExport/warmUpPlan.js";
import { stepClassOf } from "./stepRegistry.js";
import { constant } from "./planning/steps/constant.js";
import type { PlanStore, PlanWarningHandler } from "./planExport/store.js";
import { planCacheFor } from "./planning/planCache.js";
import type { TracingOption } from "./tracing/tracing.js";
import { TRACING_STEPS, type TracingSteps } from "./tracing/detail.js";
import type { ErrorMaskingOptions } from "./request/maskErrors.js";
import type { GraphscaleFieldExtensions, GraphscaleTypeExtensions, PlanResolver, TypePlanner } from "./planning/planResolver.js";

/**
 * A field's entry in `plans`: a plan resolver, or `{ plan, subscribePlan }` for a subscription root field
 * (`subscribePlan` gives the step whose value is the event stream). On an interface or union,
 * `__planType: ($value) => step` gives each entry's concrete type name.
 */
export type FieldPlanSpec = PlanResolver | { plan?: PlanResolver; subscribePlan?: PlanResolver };

/** A type's entry in `plans`: one plan per field (and `__planType` on an interface or union). */
export interface TypePlans {
  [fieldName: string]: FieldPlanSpec;
}

/**
 * A type's entry in `resolvers`, graphql-tools style: graphql-js resolvers for fields without a plan,
 * `__resolveType` / `__isTypeOf`, or a custom scalar's `serialize`/`parseValue`/`parseLiteral`.
 */
export interface TypeResolvers {
  __resolveType?: GraphQLTypeResolver<any, any>;
  __isTypeOf?: GraphQLIsTypeOfFn<any, any>;
  serialize?: (value: any) => unknown;
  parseValue?: (value: any) => unknown;
  parseLiteral?: (...args: any[]) => unknown;
  /** A field resolver, or `{ resolve, subscribe }` (loosely typed, as graphql-tools resolver maps are). */
  [fieldName: string]: any;
}

export interface MakeSchemaConfig {
  typeDefs: string | DocumentNode | ReadonlyArray<string | DocumentNode>;
  plans?: { readonly [typeName: string]: TypePlans };
  resolvers?: { readonly [typeName: string]: TypeResolvers };
  /** How many distinct operation texts keep their plans (default 500). */
  planCacheSize?: number;
  /** Default request limits for this schema (each request may set its own): see spec/limits.md. */
  limits?: Partial<Limits>;
  /** false: never build responses with generated code (`new Function`); see spec/output.md. Default true. */
  compileOutput?: boolean;
  /** Every response carries its dependencies in `extensions.deps` unless a request says otherwise (spec/reactivity.md). */
  deps?: boolean;
  /**
   * Facts steps check their options against while planning (`Step.validatePlan`), e.g.
   * `{ kvetchSchema }` so Kvetch steps reject unknown type, edge and index names at plan time.
   */
  planContext?: { readonly [key: string]: unknown };
  /**
   * Callbacks (and custom step classes) plans may hold, by name: an exported plan names them so another
   * process finds the same code (spec/plan-export.md). A plan holding an unnamed closure is not exported.
   */
  functions?: { readonly [name: string]: Function };
  /**
   * false: plan every possible type of an abstract field up front. Default true: a concrete type's branch is
   * planned when an entry of that type first reaches the field (spec/planning.md, "Partial planning").
   */
  partialPlanning?: boolean;
  /** The plan cache's second tier: plans read on a miss before planning, and written once built. */
  planStore?: PlanStore;
  /** Called when a stored plan could not be used or written (default: process.emitWarning). */
  onPlanWarning?: PlanWarningHandler;
  /**
   * true: plans are imported into this schema by hand (`importPlan`): makeSchema works out what every import
   * reads (the schema fingerprint, lookup tables: PrepareSchemaForImport), as it does for a schema with a
   * `planStore`, so the first import does not (spec/plan-export.md).
   */
  importsPlans?: boolean;
  /**
   * Directives the schema holds beside graphql-js's and those typeDefs declare, as graphql-js directive
   * objects: e.g. `[GraphQLLiveDirective]` so `query … @live` validates (spec/reactivity.md).
   */
  directives?: ReadonlyArray<GraphQLDirective>;
  /**
   * OpenTelemetry spans for every request (spec/tracing.md): by default when a tracer provider is registered
   * and @opentelemetry/api is installed; `true` always, `false` never, or `{ tracerProvider?, steps? }`: a provider
   * of its own, and the span detail: `steps: "all"` (default: a span per layer and step call), `"io"` (spans only
   * for step calls that make store calls or go asynchronous), `"none"` (request, planning and store calls only).
   */
  tracing?: TracingOption;
  /** Called once per masked internal error of every request of this schema (a request's own hook comes first); spec/errors.md. */
  onInternalError?: ErrorMaskingOptions["onInternalError"];
}

function toDocument(typeDefs: MakeSchemaConfig["typeDefs"]): DocumentNode {
  const parts = Array.isArray(typeDefs) ? typeDefs : [typeDefs];
  const definitions = parts.flatMap((p: string | DocumentNode) => (typeof p === "string" ? parse(p) : p).definitions);
  return { kind: "Document" as DocumentNode["kind"], definitions };
}

/** A plan store a schema can use: `get` and `set` functions, and a `timeoutMs` (if any) of 0 or more. */
function checkPlanStore(store: unknown): void {
  if (store === undefined) return;
  const given = store as { get?: unknown; set?: unknown; timeoutMs?: unknown } | null;
  if (given === null || typeof given !== "object" || typeof given.get !== "function" || typeof given.set !== "function") {
    throw new TypeError("makeSchema: planStore must be an object with get(key) and set(key, value) functions.");
  }
  const ms = given.timeoutMs;
  if (ms !== undefined && (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)) {
    throw new TypeError(`makeSchema: planStore.timeoutMs must be a finite number of milliseconds, 0 or more; got ${typeof ms === "number" ? ms : JSON.stringify(ms) ?? typeof ms}.`);
  }
}

/** The built schema's directives and the config's, each name once: a name given twice is an error, never a choice. */
function withDirectives(declared: readonly GraphQLDirective[], given: MakeSchemaConfig["directives"]): GraphQLDirective[] {
  if (given === undefined) return [...declared];
  if (!Array.isArray(given)) throw new TypeError("makeSchema: directives must be an array of GraphQLDirective objects (e.g. [GraphQLLiveDirective]).");
  const out = [...declared];
  for (const directive of given) {
    if (!isDirective(directive)) throw new TypeError(`makeSchema: directives holds ${inspect(directive)}, not a GraphQLDirective; give graphql-js directive objects (e.g. GraphQLLiveDirective).`);
    if (out.some((d) => d.name === directive.name)) {
      throw new TypeError(`makeSchema: directive @${directive.name} is given in directives and is already defined (by typeDefs or graphql-js); define it in one place.`);
    }
    out.push(directive);
  }
  return out;
}

/** `tracing` as makeSchema takes it: a boolean or `{ tracerProvider?, steps? }` (a getTracer function; "all", "io" or "none"). */
function checkTracing(tracing: unknown): TracingOption | undefined {
  if (tracing === undefined || typeof tracing === "boolean") return tracing;
  const { tracerProvider, steps } = (tracing ?? {}) as { tracerProvider?: { getTracer?: unknown }; steps?: unknown };
  if (tracing === null || typeof tracing !== "object" || (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== "function")) {
    throw new TypeError(`makeSchema: tracing must be true, false or { tracerProvider?, steps? } (an OpenTelemetry TracerProvider; "all", "io" or "none"); got ${inspect(tracing)}.`);
  }
  if (steps !== undefined && !TRACING_STEPS.includes(steps as TracingSteps)) {
    throw new TypeError(`makeSchema: tracing.steps must be "all", "io" or "none"; got ${inspect(steps)}.`);
  }
  return tracing as TracingOption;
}

/** A schema-level hook: a function, or absent. */
function checkHook<T>(hook: T, name: string): T {
  if (hook !== undefined && typeof hook !== "function") throw new TypeError(`makeSchema: ${name} must be a function; got ${inspect(hook)}.`);
  return hook;
}

export function makeSchema(config: MakeSchemaConfig): GraphQLSchema {
  checkPlanStore(config.planStore);
  checkHook(config.onPlanWarning, "onPlanWarning");
  if (config.importsPlans !== undefined && typeof config.importsPlans !== "boolean") throw new TypeError(`makeSchema: importsPlans must be a boolean; got ${typeof config.importsPlans}.`);
  const built = buildASTSchema(toDocument(config.typeDefs));
  const schema = new GraphQLSchema({
    ...built.toConfig(),
    directives: withDirectives(built.getDirectives(), config.directives),
    extensions: {
      ...built.extensions,
      graphscale: {
        planCacheSize: config.planCacheSize,
        limits: config.limits,
        planContext: config.planContext,
        compileOutput: config.compileOutput,
        deps: config.deps,
        functions: config.functions,
        planStore: config.planStore,
        partialPlanning: config.partialPlanning,
        onPlanWarning: config.onPlanWarning,
        tracing: checkTracing(config.tracing),
        onInternalError: checkHook(config.onInternalError, "onInternalError"),
      },
    },
  });
  applyResolvers(schema, config.resolvers ?? {});
  applyPlans(schema, config.plans ?? {});
  // An interface field's plan serves every implementation that has none of its own.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      const plan = (field.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan;
      if (!plan) continue;
      for (const impl of schema.getPossibleTypes(type)) {
        const implField = impl.getFields()[name] as unknown as { extensions: Record<string, unknown> } | undefined;
        if (implField && !(implField.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan) {
          implField.extensions = { ...implField.extensions, graphscale: { plan } };
        }
      }
    }
  }
  assertValidSchema(schema);
  // The schema's limits are checked (and merged once) now, so a bad value fails here, not on a first request.
  resolveLimits(schema, undefined);
  warmUpEngine();
  // Only a schema with a plan store, or one said to import plans, is known to: the others pay nothing for it here.
  if (config.planStore !== undefined || config.importsPlans === true) prepareSchemaForImport(schema);
  return schema;
}

let warmedUp = false;

/** What the warm-up did in this process (tests read it: a warm-up that stopped short would save nothing). */
export const warmUpOutcome = { executed: 0, imported: 0, loads: 0, failed: null as unknown };

// The warm-up's operation: lists of objects two levels deep, a fragment, a nullable object that is null,
// leaves and __typename. Richer operations (a third list level, nullable lists, abstract types) made the
// planner's steady state slower in a process that then plans one operation shape (type feedback the
// warm-up leaves behind), so the warm-up stays at this size.
const WARM_UP_TYPE_DEFS = "type Query { items: [Item!]! one: Item none: Item } type Item { n: Int! name: String parts: [Part!]! } type Part { n: Int! }";
const WARM_UP_ITEMS = [1, 2].map((n) => ({ n, name: n === 1 ? "a" : null, parts: [{ n }, { n: n + 1 }] }));
/** How many times the warm-up imports its plan (into one schema): see WarmUpEngine. */
const WARM_UP_IMPORTS = 5;
/**
 * How many more times WarmUpLoads runs its plan through a first response's path (the general executor, the
 * interpretive output): one. Callgrind (bench/coldStart/instructions.ts, the nested operation's first
 * request): 0 → 1 run, Node 24 imported 6.50 → 5.79 M and planned 12.69 → 12.14 M; more runs gained little
 * more (2: 5.67 / 11.89) and the small query's steady state counted the same instructions either way.
 */
const WARM_UP_LOADS_RUNS = 1;
const WARM_UP_OPERATION = "{ items { n ...ItemName parts { n } } one { n name } none { n } __typename } fragment ItemName on Item { name }";

/**
 * spec: WarmUpEngine — once per process, when the first schema is made: plans and runs a tiny operation (a list of objects, an
 * object, leaves, __typename) through the planner, the executor and the compiled output, so the first real
 * request does not pay for compiling the engine's own code. Off with GRAPHSCALE_WARM_UP=off. Never throws.
 */
function warmUpEngine(): void {
  if (warmedUp) return;
  warmedUp = true;
  if (typeof process !== "undefined" && process.env.GRAPHSCALE_WARM_UP === "off") return;
  try {
    const config: MakeSchemaConfig = {
      typeDefs: WARM_UP_TYPE_DEFS,
      plans: { Query: { items: () => constant(WARM_UP_ITEMS), one: () => constant(WARM_UP_ITEMS[0]), none: () => constant(null) } },
      planCacheSize: 1,
      // A warm-up import that could not be read says nothing to the application.
      onPlanWarning: () => undefined,
    };
    const schema = makeSchema(config);
    const document = parse(WARM_UP_OPERATION);
    countExecution(executeSync({ schema, document }));
    // Its second run compiles and runs the generated output (CompiledOutputOf): that code is warm too.
    countExecution(executeSync({ schema, document }));
    // Plan import's code too (fingerprint, operation hash, decoding, checks), and the execution of an imported
    // plan: a fresh process's first import runs warm code, as its first planning does.
    const text = exportPlan(schema, document);
    const importer = makeSchema(config);
    if (importPlan(importer, document, text)) warmUpOutcome.imported++;
    countExecution(executeSync({ schema: importer, document }));
    // A second import of the same layouts makes their generated setters (TierUp): that code is warm too. The
    // imports after it run the import's own code (header, decoding, checks, output plan) until most of it is
    // compiled (Sparkplug) here rather than in a first request: a fresh process's first import of a 4-level
    // operation took 9.2 M instructions after two warm-up imports, 7.3 M after WARM_UP_IMPORTS.
    for (let i = 1; i < WARM_UP_IMPORTS; i++) if (importPlan(importer, document, text)) warmUpOutcome.imported++;
    warmUpLoads();
    warmUpDocumentText();
  } catch (error) {
    // A warm-up only saves time; it never fails the schema being made.
    warmUpOutcome.failed = error;
  }
}

/**
 * spec: WarmUpLoads — the warm-up's second plan, imported (never planned), run once and imported again: loads (loadOne,
 * loadMany) and lists of lists, so that a fresh process's first request of such an operation — above all an
 * imported one, the plan store's cold start — does not compile the code of loads, list layers and their
 * output. Its steps' classes are graphscale/steps': skipped when they are not registered yet.
 */
function warmUpLoads(): void {
  if (!WARM_UP_LOADS_KINDS.every((kind) => stepClassOf(kind) !== undefined)) return;
  // Read from a plan store that answers at once, as a fresh instance reads its plans: the store's own code
  // (key, read, constraint checks) is compiled here too, not in the first request.
  let text: string | null = null;
  const planStore: PlanStore = { get: () => text, set: () => undefined };
  const schema = makeSchema({ typeDefs: WARM_UP_LOADS_TYPE_DEFS, functions: WARM_UP_LOADS_FUNCTIONS, planCacheSize: 1, onPlanWarning: () => undefined, planStore });
  const document = parse(WARM_UP_LOADS_OPERATION);
  text = warmUpLoadsText(schema, document);
  const result = executeSync({ schema, document });
  // Run again through the path a first response takes (the general executor, the interpretive output), so
  // that code reaches its baseline compile (Sparkplug) here rather than in a fresh process's first request.
  for (let i = 0; i < WARM_UP_LOADS_RUNS; i++) countExecution(executeSync({ schema, document, compileOutput: false }));
  // A second import of its shapes makes their setters (TierUp) and runs them: a real plan's first import of
  // these layouts (loads, field reads, list items) then fills its steps with compiled setters, and makes none
  // in its request.
  if (result.errors === undefined && planCacheFor(schema).stats.plansImported === 1 && importPlan(schema, document, text)) warmUpOutcome.loads++;
  else warmUpOutcome.failed ??= result.errors ?? new Error("the warm-up's plan of loads was not imported twice");
}

function countExecution(result: { errors?: unknown }): void {
  if (result.errors === undefined) warmUpOutcome.executed++;
  else warmUpOutcome.failed ??= result.errors;
}

type MutableField = { extensions: Record<string, unknown>; resolve?: unknown; subscribe?: unknown };

function fieldsOf(schema: GraphQLSchema, typeName: string, what: string): Record<string, MutableField> {
  const type = schema.getType(typeName);
  if (!type) throw new Error(`makeSchema: ${what} name a type "${typeName}" that typeDefs do not define.`);
  if (!isObjectType(type) && !isInterfaceType(type)) throw new Error(`makeSchema: ${what} give fields to "${typeName}", which has none.`);
  return type.getFields() as unknown as Record<string, MutableField>;
}

function fieldOf(fields: Record<string, MutableField>, typeName: string, fieldName: string, what: string): MutableField {
  const field = fields[fieldName];
  if (!field) {
    throw new Error(`makeSchema: ${what} give ${typeName}.${fieldName}, but ${typeName} has no field "${fieldName}" (fields: ${Object.keys(fields).join(", ")}).`);
  }
  return field;
}

function applyPlans(schema: GraphQLSchema, plans: { readonly [typeName: string]: TypePlans }): void {
  for (const typeName of Object.keys(plans)) {
    const spec = plans[typeName]!;
    const type = schema.getType(typeName);
    if (type && (isUnionType(type) || isInterfaceType(type)) && spec.__planType) {
      const t = type as unknown as { extensions: Record<string, unknown> };
      t.extensions = { ...t.extensions, graphscale: { planType: spec.__planType as TypePlanner } satisfies GraphscaleTypeExtensions };
    }
    const names = Object.keys(spec).filter((k) => k !== "__planType");
    if (names.length === 0) continue;
    const fields = fieldsOf(schema, typeName, "plans");
    for (const fieldName of names) {
      const field = fieldOf(fields, typeName, fieldName, "plans");
      const entry = spec[fieldName]!;
      const ext: GraphscaleFieldExtensions = typeof entry === "function" ? { plan: entry } : { plan: entry.plan, subscribePlan: entry.subscribePlan };
      field.extensions = { ...field.extensions, graphscale: ext };
    }
  }
}

function applyResolvers(schema: GraphQLSchema, resolvers: { readonly [typeName: string]: TypeResolvers }): void {
  for (const typeName of Object.keys(resolvers)) {
    const spec = resolvers[typeName]!;
    const type = schema.getType(typeName);
    if (!type) throw new Error(`makeSchema: resolvers name a type "${typeName}" that typeDefs do not define.`);
    if (isScalarType(type)) {
      if (isSpecifiedScalarType(type)) {
        // typeDefs share graphql-js's own ID, String, … objects: setting serialize there changes every schema.
        throw new Error(
          `makeSchema: resolvers for the built-in scalar ${typeName} would change graphql-js's ${typeName} for every schema in this process; ` +
            `declare a scalar of your own (scalar My${typeName}) and give it serialize/parseValue/parseLiteral instead.`,
        );
      }
      for (const fn of ["serialize", "parseValue", "parseLiteral"] as const) if (typeof spec[fn] === "function") setScalarFunction(type, fn, spec[fn]);
      continue;
    }
    if ((isUnionType(type) || isInterfaceType(type)) && spec.__resolveType) {
      (type as unknown as { resolveType: unknown }).resolveType = spec.__resolveType;
    }
    if (isObjectType(type) && spec.__isTypeOf) (type as unknown as { isTypeOf: unknown }).isTypeOf = spec.__isTypeOf;
    const names = Object.keys(spec).filter((k) => !k.startsWith("__"));
    if (names.length === 0) continue;
    const fields = fieldsOf(schema, typeName, "resolvers");
    for (const fieldName of names) {
      const field = fieldOf(fields, typeName, fieldName, "resolvers");
      const entry = spec[fieldName]!;
      if (typeof entry === "function") field.resolve = entry;
      else {
        if (entry.resolve) field.resolve = entry.resolve;
        if (entry.subscribe) field.subscribe = entry.subscribe;
      }
    }
  }
}
