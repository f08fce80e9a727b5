// Plan cache: plans are built once per operation, not per request. Keyed per schema by operation text
// and name; a plan that took a decision from a variable's value (@skip/@include) is reused only when
// that variable has the same value again. Bounded (LruMap) so a flood of distinct texts cannot grow it.
// A document transformed after parsing (visit keeps `loc`, so its source text is the original's) never
// shares the plans of a document it differs from: see SharedPlans.

import { GraphQLError, print, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { getOperation, type ChosenOperation } from "./getOperation.js";
import type { OperationPlan } from "./operationPlan.js";
import { buildOperationPlan } from "./planner.js";
import type { Limits } from "../limits.js";
import { LruMap } from "./lruMap.js";

/** Counts a test or the bench can read: how many plans were built and how many requests reused one. */
export interface PlanCacheStats {
  plansBuilt: number;
  hits: number;
  /** Planning work of every plan built (steps adopted, dependencies visited, deduplication comparisons). */
  planningWork: number;
  /** Plans read from the plan store (makeSchema({ planStore })) instead of being built. */
  plansImported: number;
  /** Branches of abstract positions planned when their type first arrived (partial planning). */
  branchesPlanned: number;
}

/** An operation of a document and its plans. */
export interface CachedOperation {
  /** Plans for this text, each valid where its variable constraints hold; few per text in practice. */
  readonly plans: OperationPlan[];
  /** The operation (and the fragments) getOperation chose for this name, once a request asked. */
  chosen?: ChosenOperation;
}

/** The plans of one key text, and the document that first took that key: every document sharing them equals it. */
interface SharedPlans {
  readonly document: DocumentNode;
  readonly perName: Map<string, CachedOperation>;
}

const MAX_PLANS_PER_OPERATION = 32;
const DEFAULT_MAX_OPERATIONS = 500;

class PlanCache {
  readonly stats: PlanCacheStats = { plansBuilt: 0, hits: 0, planningWork: 0, plansImported: 0, branchesPlanned: 0 };
  /** Plans by key text (the source text, or the printed document and the source text), then by operation name; bounded. */
  private readonly byText: LruMap<string, SharedPlans>;
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, CachedOperation>>();

  constructor(max: number) {
    this.byText = new LruMap(max);
  }

  /** spec: GetOperationPlan */
  getOperationPlan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    operation: OperationDefinitionNode,
    fragments: { readonly [name: string]: FragmentDefinitionNode },
    variableValues: { readonly [name: string]: unknown },
    limits: Limits,
  ): OperationPlan {
    return this.planIn(this.entryFor(document, operationName), schema, operation, fragments, variableValues, limits);
  }

  /**
   * A request's operation, chosen once per document and name (the choice of a document that names no such
   * operation is an error, and is not kept): a request then finds its plans with no second lookup (planIn).
   */
  operationEntry(document: DocumentNode, operationName: string | null | undefined): CachedOperation | GraphQLError {
    const perName = this.perNameOf(document);
    const key = nameKey(operationName);
    let cached = perName.get(key);
    if (cached?.chosen !== undefined) return cached;
    const chosen = getOperation(document, operationName);
    if (chosen instanceof GraphQLError) return chosen;
    if (cached === undefined) perName.set(key, (cached = { plans: [] }));
    cached.chosen = chosen;
    return cached;
  }

  /** GetOperationPlan within an operation's entry. */
  planIn(
    cached: CachedOperation,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: { readonly [name: string]: FragmentDefinitionNode },
    variableValues: { readonly [name: string]: unknown },
    limits: Limits,
  ): OperationPlan {
    const plans = cached.plans;
    for (let i = 0; i < plans.length; i++) {
      if (constraintsHold(plans[i]!, variableValues)) {
        this.stats.hits++;
        return plans[i]!;
      }
    }
    const plan = buildOperationPlan(schema, operation, fragments, variableValues, "response", limits);
    this.stats.plansBuilt++;
    this.stats.planningWork += plan.work;
    this.keepIn(cached, plan);
    return plan;
  }

  /** The cached plan of an operation's entry for these variables, if any (no counting: the plan store tier asks before planIn). */
  findIn(cached: CachedOperation, variableValues: { readonly [name: string]: unknown }): OperationPlan | undefined {
    return cached.plans.find((plan) => constraintsHold(plan, variableValues));
  }

  /** Keeps a plan made elsewhere (imported) as if it had been built here. */
  install(document: DocumentNode, operationName: string | null | undefined, plan: OperationPlan): void {
    this.keepIn(this.entryFor(document, operationName), plan);
  }

  /** Keeps a plan in an operation's entry (the plan store tier's, read for it); past the bound the oldest goes. */
  keepIn(cached: CachedOperation, plan: OperationPlan): void {
    if (cached.plans.length >= MAX_PLANS_PER_OPERATION) cached.plans.shift();
    cached.plans.push(plan);
  }

  private entryFor(document: DocumentNode, operationName: string | null | undefined): CachedOperation {
    const key = nameKey(operationName);
    const perName = this.perNameOf(document);
    let cached = perName.get(key);
    if (cached === undefined) perName.set(key, (cached = { plans: [] }));
    return cached;
  }

  private perNameOf(document: DocumentNode): Map<string, CachedOperation> {
    // The document object first (servers and graphql() reuse parsed documents: no hashing of the text),
    // then the text, so a new parse of a known text finds its plans too. Once per document object.
    let perName = this.byDocument.get(document);
    if (perName === undefined) {
      const text = document.loc?.source.body;
      // A document that differs from the one that took its source text (a transformed copy, or the original
      // after its copy) is keyed by its printed form with that text (errors locate nodes in the text);
      // one that differs from that key's too (a name print cannot tell apart), or that print cannot write,
      // keeps plans of its own.
      perName = text === undefined ? undefined : (this.sharedBy(text, document) ?? this.sharedByPrint(text, document));
      this.byDocument.set(document, (perName ??= new Map()));
    }
    return perName;
  }

  private sharedByPrint(text: string, document: DocumentNode): Map<string, CachedOperation> | undefined {
    let printed: string;
    try {
      printed = print(document);
    } catch {
      return undefined; // a node of no known kind: the request's execution says what is wrong with it
    }
    return this.sharedBy(`${printed}\u0000${text}`, document);
  }

  /** The plans kept under `key` if they were made for documents equal to this one (the key is taken if free). */
  private sharedBy(key: string, document: DocumentNode): Map<string, CachedOperation> | undefined {
    const shared = this.byText.get(key);
    if (shared === undefined) {
      const perName = new Map<string, CachedOperation>();
      this.byText.set(key, { document, perName });
      return perName;
    }
    return sameDocument(shared.document, document) ? shared.perName : undefined;
  }
}

/**
 * Whether two documents are the same operations: equal kinds, names, aliases, arguments, values, directives,
 * variable definitions, selections and fragments, wherever they are; `loc` and a string's `block` (how it was
 * written) are ignored, and an absent list equals an empty one (a node built by hand may leave `arguments` out). Iterative: a deep document cannot
 * overflow the stack.
 */
function sameDocument(a: DocumentNode, b: DocumentNode): boolean {
  const stack: unknown[] = [a, b];
  while (stack.length > 0) {
    const y = stack.pop();
    const x = stack.pop();
    if (x === y || (isAbsent(x) && isAbsent(y))) continue;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object" || Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) stack.push(x[i], ys[i]);
      continue;
    }
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    for (const key of Object.keys(xs)) if (key !== "loc" && key !== "block") stack.push(xs[key], ys[key]);
    for (const key of Object.keys(ys)) if (!(key in xs) && key !== "loc" && key !== "block") stack.push(undefined, ys[key]);
  }
  return true;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

/** A document's operations by name: no name (the only operation) apart from every name, the empty one included. */
function nameKey(operationName: string | null | undefined): string {
  return operationName == null ? "" : `#${operationName}`;
}

/** Whether a plan's variable constraints hold for these variable values. */
export function constraintsHold(plan: OperationPlan, variableValues: { readonly [name: string]: unknown }): boolean {
  const constraints = plan.constraints;
  for (let i = 0; i < constraints.length; i++) if (!Object.is(variableValues[constraints[i]!.name], constraints[i]!.value)) return false;
  return true;
}

const caches = new WeakMap<GraphQLSchema, PlanCache>();

export function planCacheFor(schema: GraphQLSchema): PlanCache {
  let cache = caches.get(schema);
  if (cache === undefined) {
    const max = (schema.extensions?.graphscale as { planCacheSize?: number } | undefined)?.planCacheSize ?? DEFAULT_MAX_OPERATIONS;
    caches.set(schema, (cache = new PlanCache(max)));
  }
  return cache;
}

/** How many plans were built for this schema and how many executions reused a cached one. */
export function getPlanCacheStats(schema: GraphQLSchema): Readonly<PlanCacheStats> {
  return planCacheFor(schema).stats;
}
