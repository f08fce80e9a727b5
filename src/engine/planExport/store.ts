// Exported plan text (a header line — format version, schema fingerprint, operation hash, checksum — then the
// body JSON, parsed once and only after the checksum over its text holds) and
// the plan store, the plan cache's second tier: on a miss a request asks the store before planning, and a
// plan it builds is written back, with no request waiting for the write. Whatever the store returns — nothing,
// another schema's plan, a cut or edited text, a plan whose structure does not hold, no answer at all — the
// worst outcome is planning again with a warning, never a throw, and no request waits past its timeout or
// signal. A checksum is not a signature: a text rewritten with its checksum recomputed is checked for its
// structure (CheckImportedPlan), not for its meaning, so the store must be trusted as the schema is.

import { type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { OperationPlan } from "../planning/operationPlan.js";
import { constraintsHold, planCacheFor, type CachedOperation } from "../planning/planCache.js";
import type { Limits } from "../limits.js";
import { isPromiseLike } from "../promiseOrValue.js";
import { BadPlan, NotExportable } from "./codec.js";
import { planChecksum, schemaFingerprint, sha256 } from "./fingerprint.js";
import { documentText } from "./documentText.js";
import { decodePlan, encodePlan, type PlanBody } from "./planJson.js";

/** The version of the exported plan format; a plan of any other version is planned again. */
export const PLAN_FORMAT_VERSION = 10;

/** The first word of an exported plan's header line. */
const PLAN_MAGIC = "graphscale-plan";

/** A plan store: Redis (`{ get: (k) => redis.get(k), set: (k, v) => redis.set(k, v) }`) or any key-value store. */
export interface PlanStore {
  get(key: string): PromiseLike<string | null | undefined> | string | null | undefined;
  /** Not awaited by any request: a failure (or a write still running after `timeoutMs`) is a warning. */
  set(key: string, value: string): unknown;
  /**
   * How long a `get` may take before the operation is planned without it, and a `set` before it is reported
   * as slow (default PLAN_STORE_TIMEOUT_MS, 1,000; makeSchema refuses anything but a finite number, 0 or more).
   */
  readonly timeoutMs?: number;
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

/**
 * The hash an exported plan names its operation by: operation name and the document's DocumentText. Not the
 * source text: a document transformed after parsing keeps its original's (visit keeps `loc`), and a process
 * must never take the plan of the other one; DocumentText is the same in every process.
 */
export function operationHash(document: DocumentNode, operation: OperationDefinitionNode): string {
  return sha256(`${operation.name?.value ?? ""}\u0000${documentText(document)}`);
}

/**
 * spec: WritePlan — the text of a plan: the header line `graphscale-plan <format> <fingerprint> <operation
 * hash> <checksum>`, then the body JSON. Throws NotExportable naming the step that prevents it.
 */
export function writePlan(plan: OperationPlan, opHash: string): string {
  return planText(plan.schema, opHash, JSON.stringify(encodePlan(plan)));
}

/** A plan's text: its header line for this schema and operation hash, then the body. */
export function planText(schema: GraphQLSchema, opHash: string, body: string): string {
  return `${PLAN_MAGIC} ${PLAN_FORMAT_VERSION} ${schemaFingerprint(schema)} ${opHash} ${planChecksum(body)}\n${body}`;
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
  if (planChecksum(body) !== checksum) throw new BadPlan("the stored plan's checksum does not match its body (edited or cut)");
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
 * here: DecodePlan reads it, and the decoded plan's constraints are checked. So is one naming a variable the
operation does not declare: CheckImportedPlan refuses that plan, with its warning.
 */
function constraintsFailIn(body: unknown, operation: OperationDefinitionNode, variableValues: { readonly [name: string]: unknown }): boolean {
  const constraints = (body as { constraints?: unknown } | null)?.constraints;
  if (!Array.isArray(constraints)) return false;
  for (const constraint of constraints) {
    if (!Array.isArray(constraint) || typeof constraint[0] !== "string") continue;
    const name = constraint[0];
    if (!operation.variableDefinitions?.some((definition) => definition.variable.name.value === name)) continue;
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
  if (constraintsFailIn(body, operation, variableValues)) return null;
  const plan = decodeBody(schema, operation, fragments, body, limits);
  return constraintsHold(plan, variableValues) ? plan : null;
}

function storeKey(schema: GraphQLSchema, opHash: string): string {
  return `graphscale:plan:${schemaFingerprint(schema)}:${opHash}`;
}

/**
 * Loads in flight per store key: concurrent first requests ask the store (and plan) once. Each settles to
 * whether the plan cache now holds the plan it read or built (false: planning failed), and never rejects.
 */
const loading = new WeakMap<GraphQLSchema, Map<string, Promise<boolean>>>();

/** How long a plan store's get or set may take before it counts as failed, unless the store says (`timeoutMs`). */
export const PLAN_STORE_TIMEOUT_MS = 1000;

function storeTimeoutOf(store: PlanStore): number {
  const ms = store.timeoutMs;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : PLAN_STORE_TIMEOUT_MS;
}

/**
 * spec: LoadPlanFromStore — when the schema has a plan store and the plan cache has no plan for this
 * request (its operation's entry, chosen by PrepareRequest, and its coerced variables): the store's plan
 * (checked by ReadPlan) goes into the cache if its constraints hold for this request, else a plan is built
 * and cached, and written to the store (replacing the stored one) without waiting for the write
 * (WriteStore). The store's answer is awaited for at most the store's timeout, then the operation is
 * planned without it (ReadStore). Returns the load, which settles once the plan cache has what it could
 * get and never rejects; PrepareRequest bounds the request's wait for it. Null (nothing to wait for) on a
 * cache hit, without a store, for a document without source text, or when the store answered at once
 * (then the plan was read, or built and written, before this returns). Concurrent first requests for one key
 * share one load; a request that waited on another's asks again once that one kept a plan: it may have
 * been made for other values of its constraint variables, and then this request loads (or plans and
 * stores) its own. After a planning error it does not: PrepareRequest plans it and reports the error.
 */
export function loadPlanFromStore(
  schema: GraphQLSchema,
  document: DocumentNode,
  entry: CachedOperation,
  variableValues: { readonly [name: string]: unknown },
  limits: Limits,
): Promise<unknown> | null {
  const store = configOf(schema).planStore;
  if (!store || document.loc === undefined) return null;
  const cache = planCacheFor(schema);
  if (cache.findIn(entry, variableValues) !== undefined) return null;
  const opHash = operationHash(document, entry.chosen!.operation);
  const key = storeKey(schema, opHash);
  let pending = loading.get(schema);
  if (pending === undefined) loading.set(schema, (pending = new Map()));
  const inFlight = pending.get(key);
  if (inFlight) return inFlight.then((kept) => (kept ? loadPlanFromStore(schema, document, entry, variableValues, limits) : null));
  const got = readStore(schema, store, key);
  // A store that answered at once (a synchronous get) is read or planned for now: nothing to wait for, so
  // no promise, no timer and no deferred turn for the request.
  if (!isPromiseLike(got)) {
    try {
      settleLoad(schema, store, key, cache, entry, got, limits, variableValues, opHash);
    } catch (error) {
      planWarning(schema, `the plan store tier failed`, error);
    }
    return null;
  }
  const load = Promise.resolve(got)
    .then((text) => settleLoad(schema, store, key, cache, entry, text, limits, variableValues, opHash))
    .catch((error: unknown) => {
      planWarning(schema, `the plan store tier failed`, error);
      return false;
    })
    .finally(() => pending!.delete(key));
  pending.set(key, load);
  return load;
}

/**
 * LoadPlanFromStore once the store has answered `text`: the stored plan into the plan cache when it reads
 * (ReadPlan) and its constraints hold for this request; else a plan built and cached, and written to the
 * store. Whether the plan cache now holds a plan for the request (false: planning failed, and PrepareRequest
 * plans it again and reports the error).
 */
function settleLoad(
  schema: GraphQLSchema,
  store: PlanStore,
  key: string,
  cache: ReturnType<typeof planCacheFor>,
  entry: CachedOperation,
  text: unknown,
  limits: Limits,
  variableValues: { readonly [name: string]: unknown },
  opHash: string,
): boolean {
  const { operation, fragments } = entry.chosen!;
  if (typeof text === "string") {
    try {
      const plan = readStoredPlan(schema, operation, fragments, opHash, text, limits, variableValues);
      if (plan !== null) {
        cache.keepIn(entry, plan);
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
    plan = cache.planIn(entry, schema, operation, fragments, variableValues, limits);
  } catch {
    return false; // a planning error: PrepareRequest builds it again and reports it
  }
  let written: string;
  try {
    written = writePlan(plan, opHash);
  } catch (error) {
    // Explain (and exportPlan) say which step prevents it; anything else is reported, never thrown.
    if (!(error instanceof NotExportable)) planWarning(schema, `the plan could not be written for the plan store`, error);
    return true;
  }
  writeStore(schema, store, key, written);
  return true;
}

/**
 * spec: ReadStore — the store's text for `key`: what `get` gives, awaited for at most the store's timeout;
 * a `get` that throws, rejects or gives no answer in time is reported (onPlanWarning) and reads as
 * nothing, so the operation is planned without the store (a late answer is ignored).
 */
function readStore(schema: GraphQLSchema, store: PlanStore, key: string): Promise<unknown> | unknown {
  let got: ReturnType<PlanStore["get"]>;
  try {
    got = store.get(key);
  } catch (error) {
    planWarning(schema, `the plan store's get failed; planning without it`, error);
    return undefined;
  }
  if (!isPromiseLike(got)) return got;
  const ms = storeTimeoutOf(store);
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      planWarning(schema, `the plan store's get gave no answer within ${ms} ms; planning without it`);
      resolve(undefined);
    }, ms);
    Promise.resolve(got).then(
      (text) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(text);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        planWarning(schema, `the plan store's get failed; planning without it`, error);
        resolve(undefined);
      },
    );
  });
}

/**
 * spec: WriteStore — `set(key, text)`, not awaited: no request waits for the write. A `set` that throws or
 * rejects is reported (onPlanWarning), and so is one that has not finished within the store's timeout.
 */
function writeStore(schema: GraphQLSchema, store: PlanStore, key: string, text: string): void {
  let outcome: unknown;
  try {
    outcome = store.set(key, text);
  } catch (error) {
    planWarning(schema, `the plan store's set failed`, error);
    return;
  }
  if (!isPromiseLike(outcome)) return;
  const ms = storeTimeoutOf(store);
  let finished = false;
  // A warning only: it keeps no process alive.
  const timer = setTimeout(() => {
    if (!finished) planWarning(schema, `the plan store's set has not finished within ${ms} ms`);
  }, ms);
  timer.unref?.();
  Promise.resolve(outcome).then(
    () => {
      finished = true;
      clearTimeout(timer);
    },
    (error: unknown) => {
      finished = true;
      clearTimeout(timer);
      planWarning(schema, `the plan store's set failed`, error);
    },
  );
}
