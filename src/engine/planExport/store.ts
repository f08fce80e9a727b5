// Exported plan text (a header line — format version, schema fingerprint, operation hash, checksum — then the
// body JSON, parsed once and only after the checksum over its text holds) and
// the plan store, the plan cache's second tier: on a miss a request asks the store before planning, and a
// plan it builds is written back. Whatever the store returns — nothing, another schema's plan, a cut or
// edited text — the worst outcome is planning again with a warning; never a wrong plan, never a throw.

import { getVariableValues, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { OperationPlan } from "../operationPlan.js";
import { getOperation } from "../getOperation.js";
import { constraintsHold, planCacheFor } from "../planCache.js";
import { resolveLimits, type Limits } from "../limits.js";
import { isPromiseLike } from "../promiseOrValue.js";
import { BadPlan, NotExportable } from "./codec.js";
import { schemaFingerprint, sha256 } from "./fingerprint.js";
import { decodePlan, encodePlan, type PlanBody } from "./planJson.js";

/** The version of the exported plan format; a plan of any other version is planned again. */
export const PLAN_FORMAT_VERSION = 4;

/** The first word of an exported plan's header line. */
const PLAN_MAGIC = "graphscale-plan";

/** A plan store: Redis (`{ get: (k) => redis.get(k), set: (k, v) => redis.set(k, v) }`) or any key-value store. */
export interface PlanStore {
  get(key: string): PromiseLike<string | null | undefined> | string | null | undefined;
  set(key: string, value: string): unknown;
}

/** What the plan store tier reports instead of throwing: a plan it could not read or write. */
export type PlanWarningHandler = (message: string, error?: unknown) => void;

interface StoreConfig {
  planStore?: PlanStore;
  onPlanWarning?: PlanWarningHandler;
}

function configOf(schema: GraphQLSchema): StoreConfig {
  return (schema.extensions?.graphscale as StoreConfig | undefined) ?? {};
}

export function planWarning(schema: GraphQLSchema, message: string, error?: unknown): void {
  const handler = configOf(schema).onPlanWarning;
  if (handler) handler(message, error);
  else process.emitWarning(`graphscale: ${message}`, { code: "GRAPHSCALE_PLAN_STORE" });
}

/** The hash an exported plan names its operation by: operation name and document text. */
export function operationHash(document: DocumentNode, operation: OperationDefinitionNode): string {
  const text = document.loc?.source.body ?? JSON.stringify(operation);
  return sha256(`${operation.name?.value ?? ""}\u0000${text}`);
}

/**
 * spec: WritePlan — the text of a plan: the header line `graphscale-plan <format> <fingerprint> <operation
 * hash> <checksum>`, then the body JSON. Throws NotExportable naming the step that prevents it.
 */
export function writePlan(plan: OperationPlan, opHash: string): string {
  const body = JSON.stringify(encodePlan(plan));
  return `${PLAN_MAGIC} ${PLAN_FORMAT_VERSION} ${schemaFingerprint(plan.schema)} ${opHash} ${sha256(body)}\n${body}`;
}

/**
 * spec: ReadPlan — the plan in a text, checked against this schema and operation; BadPlan if not. The header
 * is checked first and the checksum over the body text before the body is parsed, so a foreign, stale or
 * edited plan costs no parse.
 */
export function readPlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  opHash: string,
  text: string,
  limits: Limits,
): OperationPlan {
  return decodeBody(schema, operation, fragments, parseBody(schema, opHash, text), limits);
}

/** ReadPlan up to the parsed body: header, checksum, JSON. */
function parseBody(schema: GraphQLSchema, opHash: string, text: string): unknown {
  const newline = typeof text === "string" ? text.indexOf("\n") : -1;
  const header = newline < 0 ? [] : text.slice(0, newline).split(" ");
  if (header.length !== 5 || header[0] !== PLAN_MAGIC) throw new BadPlan("the stored plan has no plan header (cut short, or not a graphscale plan)");
  const [, format, fingerprint, operationOf, checksum] = header;
  if (format !== String(PLAN_FORMAT_VERSION)) throw new BadPlan(`the stored plan has format ${format}, this version reads ${PLAN_FORMAT_VERSION}`);
  if (fingerprint !== schemaFingerprint(schema)) throw new BadPlan("the stored plan was made for another schema (fingerprint differs)");
  if (operationOf !== opHash) throw new BadPlan("the stored plan was made for another operation");
  const body = text.slice(newline + 1);
  if (sha256(body) !== checksum) throw new BadPlan("the stored plan's checksum does not match its body (edited or cut)");
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new BadPlan(`the stored plan could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** ReadPlan's last part: DecodePlan of a parsed body; anything it cannot place is a BadPlan. */
function decodeBody(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  body: unknown,
  limits: Limits,
): OperationPlan {
  try {
    return decodePlan(schema, operation, fragments, body as PlanBody, limits);
  } catch (error) {
    if (error instanceof BadPlan) throw error;
    throw new BadPlan(`the stored plan could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Whether a parsed body's constraints plainly fail for these variable values, before DecodePlan: a
 * constraint written as plain data (a boolean, as `@skip`/`@include` give) is compared as the plan cache
 * compares it. One written otherwise (an undefined value), or a body too malformed to tell, is not decided
 * here: DecodePlan reads it, and the decoded plan's constraints are checked.
 */
function constraintsFailIn(body: unknown, variableValues: { readonly [name: string]: unknown }): boolean {
  const constraints = (body as { constraints?: unknown } | null)?.constraints;
  if (!Array.isArray(constraints)) return false;
  for (const constraint of constraints) {
    if (!Array.isArray(constraint) || typeof constraint[0] !== "string") continue;
    const value: unknown = constraint[1];
    if (value !== null && typeof value === "object") continue;
    if (!Object.is(variableValues[constraint[0]], value)) return true;
  }
  return false;
}

/**
 * The store's text as a plan for this request (ReadPlan), or null when it was made for other values of its
 * constraint variables: checked on the parsed body, so such a plan costs no DecodePlan, and again on the
 * decoded plan. BadPlan as ReadPlan.
 */
function readStoredPlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  opHash: string,
  text: string,
  limits: Limits,
  variableValues: { readonly [name: string]: unknown },
): OperationPlan | null {
  const body = parseBody(schema, opHash, text);
  if (constraintsFailIn(body, variableValues)) return null;
  const plan = decodeBody(schema, operation, fragments, body, limits);
  return constraintsHold(plan, variableValues) ? plan : null;
}

function storeKey(schema: GraphQLSchema, opHash: string): string {
  return `graphscale:plan:${schemaFingerprint(schema)}:${opHash}`;
}

/**
 * Loads in flight per store key: concurrent first requests ask the store (and plan) once. Each settles to
 * whether the plan cache now holds the plan it read or built (false: planning failed).
 */
const loading = new WeakMap<GraphQLSchema, Map<string, Promise<boolean>>>();

/**
 * spec: LoadPlanFromStore — when the schema has a plan store and the plan cache has no plan for this
 * request: the store's plan (checked by ReadPlan) goes into the cache if its constraints hold for this
 * request, else a plan is built, cached and written to the store (replacing the stored one). Returns null
 * (nothing to wait for) on a cache hit, without a store, or when the request has errors of its own
 * (PrepareRequest reports them).
 */
export function loadPlanFromStore(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: { readonly [name: string]: unknown } | null | undefined,
  requestLimits?: Partial<Limits>,
): Promise<unknown> | null {
  const store = configOf(schema).planStore;
  if (!store || !document || document.loc === undefined) return null;
  const chosen = getOperation(document, operationName);
  if (!("operation" in chosen)) return null;
  const { operation, fragments } = chosen;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const cache = planCacheFor(schema);
  if (cache.lookup(document, operationName, coerced.coerced) !== undefined) return null;
  const opHash = operationHash(document, operation);
  const key = storeKey(schema, opHash);
  let pending = loading.get(schema);
  if (pending === undefined) loading.set(schema, (pending = new Map()));
  // A request waiting on another's load asks again once that load kept a plan: it may have been made for
  // other values of its constraint variables, and then this request loads (or plans and stores) its own.
  // After a planning error it does not: PrepareRequest plans it and reports the error, as it would have.
  const inFlight = pending.get(key);
  if (inFlight) return inFlight.then((kept) => (kept ? loadPlanFromStore(schema, document, operationName, rawVariables, requestLimits) : null));
  const limits = resolveLimits(schema, requestLimits);
  const load = (async () => {
    let text: string | null | undefined;
    try {
      const got = store.get(key);
      text = isPromiseLike(got) ? await got : got;
    } catch (error) {
      planWarning(schema, `the plan store's get failed; planning instead`, error);
    }
    if (typeof text === "string") {
      try {
        const plan = readStoredPlan(schema, operation, fragments, opHash, text, limits, coerced.coerced);
        if (plan !== null) {
          cache.install(document, operationName, plan);
          cache.stats.plansImported++;
          return true;
        }
        // Made for other values of its constraint variables: planned below, and the new plan replaces it.
      } catch (error) {
        planWarning(schema, `${error instanceof Error ? error.message : String(error)}; planning again`, error);
      }
    }
    let plan: OperationPlan;
    try {
      plan = cache.getOperationPlan(schema, document, operationName, operation, fragments, coerced.coerced, limits);
    } catch {
      return false; // a planning error: PrepareRequest builds it again and reports it
    }
    let written: string;
    try {
      written = writePlan(plan, opHash);
    } catch (error) {
      if (error instanceof NotExportable) return true; // explain (and exportPlan) say which step prevents it
      throw error;
    }
    try {
      await store.set(key, written);
    } catch (error) {
      planWarning(schema, `the plan store's set failed`, error);
    }
    return true;
  })().finally(() => pending!.delete(key));
  pending.set(key, load);
  return load;
}
