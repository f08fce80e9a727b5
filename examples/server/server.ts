// An HTTP server for a graphscale schema on node:http alone: `POST /graphql` (JSON body { query,
// variables, operationName }), `GET /` a page that runs a query and draws its plan with Mermaid, served
// from node_modules (never a CDN). The header `x-graphscale-explain: 1` adds `extensions.explain`.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { execute } from "../../src/index.js";
import type { ExplainOption } from "../../src/index.js";
import { renderPage } from "./page.js";

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

const MAX_BODY_BYTES = 1 << 20;
const requireFromHere = createRequire(import.meta.url);

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { schema, contextFactory, port = 4000, host = "127.0.0.1" } = options;
  const mermaidPath = requireFromHere.resolve("mermaid/dist/mermaid.min.js");
  const page = renderPage({ query: options.defaultQuery ?? "{ __typename }", variables: options.defaultVariables ?? {} });

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJSON(res, 500, { errors: [{ message: error instanceof Error ? error.message : String(error) }] });
      else res.end();
    });
  });

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
    if (req.method === "GET" && path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
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
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch (error) {
      sendJSON(res, 400, { errors: [{ message: `The request body must be JSON: ${(error as Error).message}` }] });
      return;
    }
    if (typeof body?.query !== "string") {
      sendJSON(res, 400, { errors: [{ message: 'The request body needs a "query" string.' }] });
      return;
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (syntaxError) {
      sendJSON(res, 400, { errors: [(syntaxError as GraphQLError).toJSON()] });
      return;
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) {
      sendJSON(res, 400, { errors: validationErrors.map((e) => e.toJSON()) });
      return;
    }
    const explain = explainOption(req.headers["x-graphscale-explain"]);
    const contextValue = contextFactory ? await contextFactory(req) : {};
    const before = countersOf(contextValue);
    const result: ExecutionResult = await execute({
      schema,
      document,
      contextValue,
      variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof body.operationName === "string" ? body.operationName : undefined,
      explain,
    });
    const out: ExecutionResult = explain ? { ...result, extensions: { ...result.extensions, roundTrips: roundTrips(contextValue, before) } } : result;
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

/** `x-graphscale-explain: 1` (or true) asks for both forms; `json` or `mermaid` for one. */
function explainOption(header: string | string[] | undefined): ExplainOption {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (value === "1" || value === "true") return true;
  if (value === "json" || value === "mermaid") return value;
  return false;
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
