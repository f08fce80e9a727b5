// The engines users pick instead of graphscale, as the bench runs them: graphql-js's `execute`, graphql-jit
// (`compileQuery` once per document, then `query` per request) and Grafast (its own plan schema, `execute`).
// Grafast is loaded here and only here, after the `Promise.withResolvers` polyfill it needs on Node 20.

import { execute as graphqlExecute, parse, versionInfo, type DocumentNode, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import { execute } from "../src/index.js";
import type { Engine } from "./scenario.js";

export type GrafastModule = typeof import("grafast");
/** A Grafast step (the type only; the module itself is loaded by `loadGrafast`). */
export type GrafastStep<T = unknown> = import("grafast").Step<T>;

/** The peer versions the bench runs (the exact devDependencies), for table headings. */
export const PEER_VERSIONS = { "graphql-jit": "0.8.9", grafast: "1.1.3" } as const;

/** `Promise.withResolvers` (Node 22+, ES2024) for Node 20; Grafast calls it on every request. */
function installPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers === "function") return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

let grafastModule: Promise<GrafastModule> | null = null;

/** Grafast, imported once, after the polyfill and in production mode (no dev-only checks, no warning). */
export function loadGrafast(): Promise<GrafastModule> {
  if (grafastModule === null) {
    installPromiseWithResolvers();
    process.env.GRAPHILE_ENV ??= "production";
    grafastModule = import("grafast");
  }
  return grafastModule;
}

/** One CPU shape as every engine runs it: the same document over the same data. */
export interface PeerShape {
  /** The query text; parsed once, and the same document object is passed on every request. */
  readonly source: string;
  /** graphscale's schema with plan resolvers. */
  readonly planSchema: GraphQLSchema;
  /** A graphql-js schema with resolvers, run by graphql-js and compiled by graphql-jit. */
  readonly resolverSchema: GraphQLSchema;
  /** Grafast's schema with plan resolvers (`makeGrafastSchema`). */
  readonly grafastSchema: GraphQLSchema;
  /** Per-request context of the resolver engines (fresh DataLoaders); `{}` when absent. */
  readonly resolverContext?: () => object;
}

/** graphscale (plans), graphql-js, graphql-jit and Grafast on one shape, in that order. */
export function peerEngines(shape: PeerShape, grafast: GrafastModule): Engine[] {
  const document: DocumentNode = parse(shape.source);
  const resolverContext = shape.resolverContext ?? (() => ({}));
  const { planSchema, resolverSchema, grafastSchema } = shape;
  const grafastEngine: Engine = { key: "grafast", name: `Grafast ${PEER_VERSIONS.grafast}`, run: (): unknown => grafast.execute({ schema: grafastSchema, document, contextValue: {} }) };
  const engines: Engine[] = [
    { key: "graphscale", name: "graphscale (plans)", run: (): unknown => execute({ schema: planSchema, document }) },
    { key: "graphql-js", name: "graphql-js (resolvers)", run: (): unknown => graphqlExecute({ schema: resolverSchema, document, contextValue: resolverContext() }) },
  ];
  // graphql-jit and Grafast support graphql 16 only (jit's compiler reads 16's type objects, Grafast calls 16's
  // execution internals): on 17 they are left out.
  if (!PEERS_RUN) return engines;
  const compiled = compileQuery(shape.resolverSchema, document);
  if (!isCompiledQuery(compiled)) {
    throw new Error(`graphql-jit could not compile ${shape.source.slice(0, 60)}: ${JSON.stringify(compiled.errors)}`);
  }
  return [
    ...engines,
    { key: "graphql-jit", name: `graphql-jit ${PEER_VERSIONS["graphql-jit"]}`, run: (): unknown => compiled.query(undefined, resolverContext(), {}) },
    // Grafast wants an object context (a WeakMap key); a fresh one per request, as a server gives it.
    grafastEngine,
  ];
}

/** Whether graphql-jit and Grafast run with the installed graphql-js: 16 only. */
export const PEERS_RUN = versionInfo.major === 16;

/** graphscale's comparisons on a CPU shape: against each peer. */
export const peerComparisons = [
  { engine: "graphscale", against: "graphql-js" },
  { engine: "graphscale", against: "graphql-jit" },
  { engine: "graphscale", against: "grafast" },
] as const;
