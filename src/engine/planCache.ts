// Plan cache: plans are built once per operation, not per request. Keyed per schema by operation text
// and name; a plan that took a decision from a variable's value (@skip/@include) is reused only when
// that variable has the same value again. Bounded by lru-cache so a flood of distinct texts cannot grow it.

import { LRUCache } from "lru-cache";
import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { OperationPlan } from "./operationPlan.js";
import { buildOperationPlan } from "./planner.js";
import type { Limits } from "./limits.js";

/** Counts a test or the bench can read: how many plans were built and how many requests reused one. */
export interface PlanCacheStats {
  plansBuilt: number;
  hits: number;
  /** Planning work of every plan built (steps adopted, dependencies visited, deduplication comparisons). */
  planningWork: number;
  /** Plans read from the plan store (makeSchema({ planStore })) instead of being built. */
  plansImported: number;
}

interface CachedOperation {
  /** Plans for this text, each valid where its variable constraints hold; few per text in practice. */
  readonly plans: OperationPlan[];
}

const MAX_PLANS_PER_OPERATION = 32;
const DEFAULT_MAX_OPERATIONS = 500;

class PlanCache {
  readonly stats: PlanCacheStats = { plansBuilt: 0, hits: 0, planningWork: 0, plansImported: 0 };
  private readonly byText: LRUCache<string, CachedOperation>;
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, CachedOperation>>();

  constructor(max: number) {
    this.byText = new LRUCache({ max });
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
    const cached = this.entryFor(document, operationName);
    for (const plan of cached.plans) {
      if (plan.constraints.every((c) => Object.is(variableValues[c.name], c.value))) {
        this.stats.hits++;
        return plan;
      }
    }
    const plan = buildOperationPlan(schema, operation, fragments, variableValues, "response", limits);
    this.stats.plansBuilt++;
    this.stats.planningWork += plan.work;
    this.keep(cached, plan);
    return plan;
  }

  /** The cached plan for this request, if any (no counting: the plan store asks before a request does). */
  lookup(document: DocumentNode, operationName: string | null | undefined, variableValues: { readonly [name: string]: unknown }): OperationPlan | undefined {
    return this.entryFor(document, operationName).plans.find((plan) => plan.constraints.every((c) => Object.is(variableValues[c.name], c.value)));
  }

  /** Keeps a plan made elsewhere (read from the plan store) as if it had been built here. */
  install(document: DocumentNode, operationName: string | null | undefined, plan: OperationPlan): void {
    this.keep(this.entryFor(document, operationName), plan);
  }

  private keep(cached: CachedOperation, plan: OperationPlan): void {
    if (cached.plans.length >= MAX_PLANS_PER_OPERATION) cached.plans.shift();
    cached.plans.push(plan);
  }

  private entryFor(document: DocumentNode, operationName: string | null | undefined): CachedOperation {
    const name = operationName ?? "";
    const text = document.loc?.source.body;
    let cached: CachedOperation | undefined;
    if (text !== undefined) {
      const key = `${name}\u0000${text}`;
      cached = this.byText.get(key);
      if (cached === undefined) this.byText.set(key, (cached = { plans: [] }));
      return cached;
    }
    // A document built without source text (e.g. by hand): cache by the document object itself.
    let perDoc = this.byDocument.get(document);
    if (perDoc === undefined) this.byDocument.set(document, (perDoc = new Map()));
    cached = perDoc.get(name);
    if (cached === undefined) perDoc.set(name, (cached = { plans: [] }));
    return cached;
  }
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
