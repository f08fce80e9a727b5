// An HTTP server for a graphscale schema on node:http alone: `POST /graphql` (JSON body { query,
// variables, operationName }), `GET /` a page that runs a query and draws its plan with Mermaid, served
// from node_modules (never a CDN), `GET /healthz` for load balancers. The header `x-graphscale-explain: 1`
// adds `extensions.explain`, `x-graphscale-deps: 1` adds `extensions.deps`, and `POST /deps/check` (given a
// store) says which of those moved; `/graphql/stream` serves `@live` queries over Server-Sent Events. On graphql
// 17, an operation using @defer or @stream is answered as multipart/mixed to clients that accept it (406 to
// the others), and over Server-Sent Events at `/graphql/stream` (incremental.ts). Run as an operator expects: a body size limit (413), a request timeout, requests
// aborted when the client goes away, 4xx for every client mistake (a deep or malformed query included) and
// never a 500 that carries internal text.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { graphql } from "../../src/index.js";
import type { ExplainOption, InternalErrorReport, LiveSource } from "../../src/index.js";
import { renderPage } from "./page.js";
import { ClientError, handleCheckDeps, type DepsChecker } from "./deps.js";
import { createLiveHandler, withDeps } from "./live.js";
import {
  defaultExecuteIncrementally,
  mentionsIncrementalDirective,
  serveIncremental,
  usesIncrementalDirective,
  withIncrementalDirectives,
  type ExecuteIncrementally,
} from "./incremental.js";

export interface ServerOptions {
  readonly schema: GraphQLSchema;
  /** A fresh context per request (the todo example counts its load calls there). */
  readonly contextFactory?: (request: IncomingMessage) => unknown;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** What the page's editor starts with. */
  readonly defaultQuery?: string;
  readonly defaultVariables?: Record<string, unknown>;
  /** Request bodies larger than this are refused with 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** A request (reading the body included) ends with an error after this long (default 10,000 ms). */
  readonly requestTimeoutMs?: number;
  /** What GET /healthz reports (200 when `ok`, else 503); default `{ ok: true }`. */
  readonly health?: () => Promise<{ ok: boolean }>;
  /** The store behind `POST /deps/check` (a Kvetch); without it that path is a 404. */
  readonly deps?: DepsChecker;
  /**
   * Where `@live` queries hear of writes (a Kvetch): with it, `/graphql/stream` serves them over
   * Server-Sent Events (the graphql-sse protocol); without it that path is a 404.
   */
  readonly live?: LiveSource;
  /** Masked internal errors, with the id the client saw (default: console.error). */
  readonly onInternalError?: (report: InternalErrorReport) => void;
  /**
   * What runs operations using @defer or @stream (graphql 17): graphscale's experimentalExecuteIncrementally
   * by default. On graphql 16 such operations get graphql 16's answer (an unknown directive).
   */
  readonly executeIncrementally?: ExecuteIncrementally;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  close(): Promise<void>;
}

/** Per-run counts the page shows: load callback calls (todo example) and Kvetch round trips by shard. */
export interface RoundTrips {
  loadCalls?: Record<string, number>;
  /** Kvetch API calls (one per Kvetch step execution), then the round trips they made per shard and cache node. */
  storeCalls?: number;
  shardQueries?: number[];
  cacheRoundTrips?: Record<string, number>;
}

/** The subset of a Kvetch store's counters this server reads; anything else in the context is ignored. */
interface CountersLike {
  calls?: number;
  shardQueries?: readonly number[];
  cacheRoundTrips?: Readonly<Record<string, number>>;
}


const requireFromHere = createRequire(import.meta.url);

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { schema, contextFactory, port = 4000, host = "127.0.0.1" } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const mermaidPath = requireFromHere.resolve("mermaid/dist/mermaid.min.js");
  const graphqlSsePath = join(dirname(requireFromHere.resolve("graphql-sse/package.json")), "umd/graphql-sse.min.js");
  const depsSchema = withDeps(schema);
  const executeIncrementally = options.executeIncrementally ?? defaultExecuteIncrementally;
  const incrementalSchema = executeIncrementally === undefined ? null : withIncrementalDirectives(schema);
  const live = createLiveHandler({ schema, source: options.live, contextFactory, counters: { snapshot: countersOf, difference: roundTrips }, executeIncrementally });
  const page = renderPage({ query: options.defaultQuery ?? "{ __typename }", variables: options.defaultVariables ?? {} });

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ClientError) {
        if (!res.headersSent) sendJSON(res, error.status, { errors: [{ message: error.message }] });
        else res.end();
        return;
      }
      // Never the error's text: it may name hosts, files or drivers. The log has it.
      console.error("graphscale example server: request failed:", error);
      if (!res.headersSent) sendJSON(res, 500, { errors: [{ message: "Internal server error" }] });
      else res.end();
    });
  });
  // A client that sends its headers or body too slowly is cut off (408) rather than holding a socket.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(requestTimeoutMs, 60_000);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
      return;
    }
    if (req.method === "GET" && path === "/mermaid.min.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=3600" });
      createReadStream(mermaidPath).pipe(res);
      return;
    }
    if (req.method === "GET" && path === "/graphql-sse.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=3600" });
      createReadStream(graphqlSsePath).pipe(res);
      return;
    }
    if (req.method === "GET" && path === "/healthz") {
      const report = options.health ? await options.health().catch(() => ({ ok: false })) : { ok: true };
      sendJSON(res, report.ok ? 200 : 503, report);
      return;
    }
    if (req.method === "GET" && path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === "/deps/check" && options.deps) {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST", "content-type": "text/plain" });
        res.end('POST a JSON body { "deps": { "<key>": <version> } } to /deps/check.');
        return;
      }
      await handleCheckDeps(options.deps, await readJSON(req, maxBodyBytes), res, sendJSON);
      return;
    }
    if (path === "/graphql/stream") {
      await live(req, res);
      return;
    }
    if (path === "/graphql") {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST", "content-type": "text/plain" });
        res.end("POST a JSON body { query, variables, operationName } to /graphql.");
        return;
      }
      await handleGraphQL(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found: try GET / or POST /graphql.");
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The client going away aborts the request: no step starts after that (spec/limits.md BoundRequest).
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new Error("the client closed the connection"));
    });
    const body = (await readJSON(req, maxBodyBytes)) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (body === null || typeof body !== "object" || typeof body.query !== "string") {
      throw new ClientError(400, 'The request body needs a "query" string.');
    }
    const variables = body.variables ?? null;
    if (variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
      throw new ClientError(400, '"variables" must be a JSON object (or null).');
    }
    const operationName = body.operationName ?? null;
    if (operationName !== null && typeof operationName !== "string") throw new ClientError(400, '"operationName" must be a string (or null).');
    const explain = explainOption(req.headers["x-graphscale-explain"]);
    const contextValue = contextFactory ? await contextFactory(req) : {};
    const before = countersOf(contextValue);
    if (incrementalSchema !== null && mentionsIncrementalDirective(body.query)) {
      const document = parseIncremental(body.query, incrementalSchema);
      if (document !== null && "errors" in document) {
        sendJSON(res, 400, document);
        return;
      }
      if (document !== null) {
        const withCounts = (payload: object): object => (explain ? { ...payload, extensions: { ...(payload as ExecutionResult).extensions, roundTrips: roundTrips(contextValue, before) } } : payload);
        await serveIncremental(incrementalSchema, executeIncrementally!, {
          req,
          res,
          document,
          args: { contextValue, variableValues: variables, operationName, explain, signal: controller.signal, abortSignal: controller.signal, limits: { timeoutMs: requestTimeoutMs }, onInternalError: options.onInternalError },
          sendJSON,
          last: withCounts,
        });
        return;
      }
    }
    // graphql() parses with the depth guard, validates and executes: a deep or malformed query is a request
    // error with a message (status 400), never a thrown RangeError.
    // A GraphQLError graphql() rejects with (one a validation rule throws, as graphql-js lets it through) is the
    // request's fault: a 400 with that error, like any validation error.
    const result: ExecutionResult = await graphql({
      // `x-graphscale-deps: 1`: the response's dependencies in extensions.deps, for POST /deps/check.
      schema: headerOn(req.headers["x-graphscale-deps"]) ? depsSchema : schema,
      source: body.query,
      contextValue,
      variableValues: variables as Record<string, unknown> | null,
      operationName,
      explain,
      signal: controller.signal,
      limits: { timeoutMs: requestTimeoutMs },
      onInternalError: options.onInternalError,
    }).catch((error: unknown) => {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    });
    if (controller.signal.aborted) return; // nobody is listening
    const out: ExecutionResult = explain ? { ...result, extensions: { ...result.extensions, roundTrips: roundTrips(contextValue, before) } } : result;
    // A shard that could not serve the request in time (OVERLOADED): 503 with Retry-After, so clients and
    // load balancers back off instead of counting it as the request's fault or the server's bug.
    const overloaded = result.errors?.find((error) => error.extensions?.code === "OVERLOADED");
    if (overloaded !== undefined) {
      const seconds = (overloaded.originalError as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      sendJSON(res, 503, out, { "retry-after": String(typeof seconds === "number" ? seconds : 1) });
      return;
    }
    sendJSON(res, "data" in result ? 200 : 400, out);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * The document of an operation that uses @defer or @stream, validated against the schema that has them; null
 * when the text does not use them after all (a comment or a string naming them), so the plain path runs it.
 * A malformed or invalid document is a 400 with graphql-js's errors.
 */
function parseIncremental(query: string, schema: GraphQLSchema): DocumentNode | { errors: readonly GraphQLError[] } | null {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw new ClientError(400, "The query is nested too deeply to parse; lower its depth.");
  }
  if (!usesIncrementalDirective(document)) return null;
  const errors = validate(schema, document);
  return errors.length > 0 ? { errors } : document;
}

/** `x-graphscale-explain: 1` (or true) asks for both forms; `json` or `mermaid` for one. */
function explainOption(header: string | string[] | undefined): ExplainOption {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (value === "1" || value === "true") return true;
  if (value === "json" || value === "mermaid") return value;
  return false;
}

function headerOn(header: string | string[] | undefined): boolean {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return value === "1" || value === "true";
}

function countersOf(contextValue: unknown): CountersLike | null {
  const kvetch = (contextValue as { kvetch?: { counters?: CountersLike } } | null)?.kvetch;
  const counters = kvetch?.counters;
  if (!counters || !Array.isArray(counters.shardQueries)) return null;
  return { calls: counters.calls, shardQueries: [...counters.shardQueries], cacheRoundTrips: { ...counters.cacheRoundTrips } };
}

/**
 * What this run cost: the context's own load call counts (fresh per request), and the Kvetch store's
 * round trips per shard and cache node as the difference of its counters around the run (a store shared
 * with concurrent requests counts theirs too).
 */
function roundTrips(contextValue: unknown, before: CountersLike | null): RoundTrips {
  const out: RoundTrips = {};
  const loadCalls = (contextValue as { loadCalls?: Record<string, number> } | null)?.loadCalls;
  if (loadCalls && typeof loadCalls === "object") out.loadCalls = { ...loadCalls };
  const after = countersOf(contextValue);
  if (before && after) {
    if (typeof after.calls === "number") out.storeCalls = after.calls - (before.calls ?? 0);
    out.shardQueries = after.shardQueries!.map((n, shard) => n - (before.shardQueries![shard] ?? 0));
    const cache: Record<string, number> = {};
    for (const [node, n] of Object.entries(after.cacheRoundTrips ?? {})) cache[node] = n - (before.cacheRoundTrips?.[node] ?? 0);
    out.cacheRoundTrips = cache;
  }
  return out;
}

async function readJSON(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  // Only JSON (GraphQL over HTTP): a form on another site can POST text/plain, urlencoded or multipart
  // bodies without a preflight, so taking those would let any page run mutations with a visitor's cookies.
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ClientError(415, `The request body must be sent as application/json, not ${type === "" ? "without a content-type" : type}.`);
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw new ClientError(413, `The request body is larger than ${maxBytes} bytes.`);
  const text = await readBody(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ClientError(400, `The request body must be JSON: ${(error as Error).message}`);
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new ClientError(413, `The request body is larger than ${maxBytes} bytes.`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
