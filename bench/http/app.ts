// The HTTP bench's servers: one server library (graphql-http or GraphQL Yoga) with one engine (graphscale's
// plans, graphql-js + DataLoader, graphql-jit) over one shape (the todo view on the memory backend or on
// MySQL + Redis, or the small query). Built inside a server process (bench/http/server.ts); also computes the
// response every request must get, with graphql-js in-process, so the driver can check each body.

import { createServer, type Server } from "node:http";
import { execute as graphqlExecute, parse, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { createHandler } from "graphql-http/lib/use/http";
import { createYoga } from "graphql-yoga";
import { createBatchedExecute, execute } from "../../src/index.js";
import { graphqlHttpOptions, useGraphscale } from "../../src/envelop/index.js";
import { Kvetch, memoryBackend, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { makeTodoDataLoaderSchema, todoLoaders } from "../scenarios/todoDataLoader.js";
import { todoQuery } from "../scenarios/todo.js";
import { smallQuerySchemas, smallQuerySource } from "../scenarios/cpu.js";
import { REDIS_URL, shardUrls } from "../servers.js";

export const LIBRARIES = ["graphql-http", "yoga"] as const;
export const ENGINES = ["graphscale", "batched", "dataloader", "jit"] as const;
export const SHAPES = ["todo-memory", "todo-mysql", "small"] as const;
export type Library = (typeof LIBRARIES)[number];
export type EngineKey = (typeof ENGINES)[number];

/** The batched server's window: the requests started in one turn of the event loop (no timer). */
const BATCH_WINDOW_MS = 0;

/** graphscale's two servers: plain `execute`, and `createBatchedExecute` (concurrent requests share step calls). */
export function isGraphscale(engine: EngineKey): boolean {
  return engine === "graphscale" || engine === "batched";
}
export type ShapeKey = (typeof SHAPES)[number];

export const LIBRARY_NAMES: Record<Library, string> = { "graphql-http": "graphql-http 1.23", yoga: "GraphQL Yoga 5.24" };
export const ENGINE_NAMES: Record<EngineKey, string> = { graphscale: "graphscale (plans)", batched: "graphscale (plans, createBatchedExecute)", dataloader: "graphql-js + DataLoader", jit: "graphql-jit 0.8.9" };
export const SHAPE_NAMES: Record<ShapeKey, string> = {
  "todo-memory": "todo view 10 × 5, memory backend",
  "todo-mysql": "todo view 10 × 5, 4 MySQL shards + Redis",
  small: "small query",
};

/** What a server process is told to serve. */
export interface ServerConfig {
  library: Library;
  engine: EngineKey;
  shape: ShapeKey;
  /** MySQL shape: the shard databases (already migrated and seeded by the driver) and the Redis key prefix. */
  databases?: string[];
  redisKeyPrefix?: string;
  /** MySQL shape: the seeded user whose view is requested. */
  userId?: string;
  /** bench/http/instructions.ts: where the server marks callgrind's parts (requests answered). */
  marks?: { warm: number; count: number; rounds: number };
}

/** The todo view's lists and items per request. */
export const TODO_LISTS = 10;
export const TODO_ITEMS = 5;

interface Served {
  /** The schema the engine runs, and a fresh context per request. */
  schema: GraphQLSchema;
  /** The todo shapes' store (its counters count store calls); null for the small query. */
  kvetch: Kvetch | null;
  context: () => object;
  /** The POST body every request sends. */
  body: { query: string; variables?: Record<string, unknown> };
  /** The response every request must get, computed in-process with graphql-js. */
  expected: ExecutionResult;
  close: () => Promise<void>;
}

export function checkConfig(config: ServerConfig): void {
  if (!LIBRARIES.includes(config.library)) throw new Error(`http bench: unknown server library "${config.library}" (${LIBRARIES.join(", ")})`);
  if (!ENGINES.includes(config.engine)) throw new Error(`http bench: unknown engine "${config.engine}" (${ENGINES.join(", ")})`);
  if (!SHAPES.includes(config.shape)) throw new Error(`http bench: unknown shape "${config.shape}" (${SHAPES.join(", ")})`);
  if (config.shape === "todo-mysql" && (!config.databases?.length || !config.redisKeyPrefix || !config.userId)) {
    throw new Error("http bench: the todo-mysql shape needs databases, redisKeyPrefix and userId (the driver seeds the store)");
  }
}

async function servedTodo(config: ServerConfig): Promise<Served> {
  const backend =
    config.shape === "todo-mysql" ? mysqlBackend({ shards: shardUrls(config.databases!), redis: { url: REDIS_URL, keyPrefix: config.redisKeyPrefix! } }) : memoryBackend({ shards: 4 });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  let userId = config.userId;
  if (config.shape === "todo-memory") {
    await kvetch.migrate();
    userId = (await seedTodo(kvetch, { users: 1, listsPerUser: TODO_LISTS, itemsPerList: TODO_ITEMS })).userIds[0]!;
  }
  const query = todoQuery(TODO_LISTS, TODO_ITEMS);
  const variables = { id: userId };
  const dataLoaderSchema = makeTodoDataLoaderSchema();
  const loaderContext = () => ({ kvetch, loaders: todoLoaders(kvetch) });
  const expected = await graphqlExecute({ schema: dataLoaderSchema, document: parse(query), variableValues: variables, contextValue: loaderContext() });
  const close = () => kvetch.close();
  if (isGraphscale(config.engine)) return { schema: todoSchema, kvetch, context: () => ({ kvetch }), body: { query, variables }, expected, close };
  return { schema: dataLoaderSchema, kvetch, context: loaderContext, body: { query, variables }, expected, close };
}

async function servedSmall(config: ServerConfig): Promise<Served> {
  const { planSchema, resolverSchema } = smallQuerySchemas();
  const expected = await graphqlExecute({ schema: resolverSchema, document: parse(smallQuerySource) });
  const schema = isGraphscale(config.engine) ? planSchema : resolverSchema;
  return { schema, kvetch: null, context: () => ({}), body: { query: smallQuerySource }, expected, close: async () => {} };
}

/** graphql-jit's query compiled once per document (the server caches documents, so once per query text). */
function jitExecutor(): (args: ExecutionArgs) => ReturnType<CompiledQuery["query"]> {
  const compiled = new WeakMap<DocumentNode, CompiledQuery>();
  return (args) => {
    let query = compiled.get(args.document);
    if (query === undefined) {
      const made = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      if (!isCompiledQuery(made)) return made as ExecutionResult;
      query = made;
      compiled.set(args.document, query);
    }
    return query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
  };
}

/** How often graphql-http's server parsed and validated (its caches' misses): once per query text. */
export interface ParseCounts {
  parsed: number;
  validated: number;
}

/**
 * graphql-http's parse and validate, cached per query text and per document for every engine alike (Yoga
 * caches both by default): each request then hands the engine the same document object, as graphql-jit needs.
 */
function cachedParseValidate(counts: ParseCounts): { parse: typeof parse; validate: typeof validate } {
  const documents = new Map<string, DocumentNode>();
  const validated = new WeakMap<DocumentNode, ReturnType<typeof validate>>();
  return {
    parse: ((source: string) => {
      let document = documents.get(source);
      if (document === undefined) {
        counts.parsed++;
        documents.set(source, (document = parse(source)));
      }
      return document;
    }) as typeof parse,
    validate: ((schema, document, rules) => {
      let errors = validated.get(document);
      if (errors === undefined) {
        counts.validated++;
        validated.set(document, (errors = validate(schema, document, rules)));
      }
      return errors;
    }) as typeof validate,
  };
}

/** A Yoga (envelop) plugin that runs every operation with `executeFn` (one executor for the server's life). */
function executeWith(executeFn: typeof graphqlExecute): { onExecute: (hook: { setExecuteFn: (fn: typeof graphqlExecute) => void }) => void } {
  return { onExecute: ({ setExecuteFn }) => setExecuteFn(executeFn) };
}

export interface BuiltServer {
  server: Server;
  /** The schema the engine runs (graphscale's plan cache counts for it) and the todo shapes' store. */
  schema: GraphQLSchema;
  kvetch: Kvetch | null;
  /** graphql-http's parses and validations; null behind Yoga, whose own caches do both. */
  parseCounts: ParseCounts | null;
  body: Served["body"];
  expected: ExecutionResult;
  close: () => Promise<void>;
}

/** The HTTP server (not listening yet) for `config`, POST /graphql. */
export async function buildServer(config: ServerConfig): Promise<BuiltServer> {
  checkConfig(config);
  const served = config.shape === "small" ? await servedSmall(config) : await servedTodo(config);
  const engineExecute = config.engine === "graphscale" ? (execute as typeof graphqlExecute) : config.engine === "jit" ? (jitExecutor() as typeof graphqlExecute) : graphqlExecute;
  let server: Server;
  let parseCounts: ParseCounts | null = null;
  if (config.library === "graphql-http") {
    parseCounts = { parsed: 0, validated: 0 };
    // graphscale: its graphql-http options (its execute, and clean results written without graphql-http's
    // replacer); the other engines: their execute, as their users configure graphql-http.
    const engineOptions =
      config.engine === "graphscale"
        ? graphqlHttpOptions()
        : config.engine === "batched"
          ? { ...graphqlHttpOptions(), execute: createBatchedExecute({ schema: served.schema, windowMs: BATCH_WINDOW_MS }) }
          : { execute: engineExecute };
    const handler = createHandler({ schema: served.schema, context: () => served.context() as never, ...engineOptions, ...cachedParseValidate(parseCounts) } as never);
    server = createServer((req, res) => (req.url?.startsWith("/graphql") ? handler(req, res) : res.writeHead(404).end()));
  } else {
    const plugins =
      config.engine === "graphscale"
        ? [useGraphscale()]
        : config.engine === "batched"
          ? [useGraphscale(), executeWith(createBatchedExecute({ schema: served.schema, windowMs: BATCH_WINDOW_MS }) as typeof graphqlExecute)]
        : config.engine === "jit"
          ? [executeWith(engineExecute)]
          : [];
    const yoga = createYoga({ schema: served.schema, plugins, context: () => served.context(), logging: false, graphiql: false, landingPage: false });
    server = createServer(yoga);
  }
  return { server, schema: served.schema, kvetch: served.kvetch, parseCounts, body: served.body, expected: served.expected, close: served.close };
}
