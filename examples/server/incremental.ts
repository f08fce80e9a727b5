// @defer and @stream over HTTP (graphql 17 only): an operation whose results come in several payloads is
// answered as multipart/mixed (the incremental delivery over HTTP RFC: boundary "-", each part
// `Content-Type: application/json; charset=utf-8`), each part written as soon as its payload is ready.
// Which clients get it is decided by their Accept header alone (acceptedIncrementalFormat); a client that
// accepts no multipart/mixed gets 406, as GraphQL Yoga answers. Never buffers a response: a part not yet
// computed is never waited for by the parts before it.

import type { IncomingMessage, ServerResponse } from "node:http";
import * as graphqlModule from "graphql";
import { GraphQLSchema, type DirectiveNode, type DocumentNode, type ExecutionResult, type GraphQLDirective } from "graphql";
import { experimentalExecuteIncrementally } from "../../src/index.js";
import { legacyPayloads } from "./legacyIncremental.js";

/** A payload after the first (graphql-js 17's SubsequentIncrementalExecutionResult, as JSON goes out). */
export interface SubsequentPayload {
  hasNext: boolean;
  pending?: readonly { id: string; path: readonly (string | number)[]; label?: string }[];
  incremental?: readonly { id: string; data?: Record<string, unknown>; items?: readonly unknown[]; subPath?: readonly (string | number)[]; errors?: readonly unknown[] }[];
  completed?: readonly { id: string; errors?: readonly unknown[] }[];
  extensions?: Record<string, unknown>;
}

/** graphql-js 17's `{ initialResult, subsequentResults }`: what experimentalExecuteIncrementally gives when it defers. */
export interface IncrementalResults {
  initialResult: Pick<ExecutionResult, "data" | "errors" | "extensions"> & { pending: NonNullable<SubsequentPayload["pending"]>; hasNext: boolean };
  subsequentResults: AsyncGenerator<SubsequentPayload, void, void>;
}

/** experimentalExecuteIncrementally's signature (graphql-js 17's name; graphscale's has the same). */
export type ExecuteIncrementally = (args: graphqlModule.ExecutionArgs & Record<string, unknown>) => ExecutionResult | IncrementalResults | Promise<ExecutionResult | IncrementalResults>;

/** The two response formats a client may ask for: graphql-js 17's, and the 2022 one Apollo's mobile clients read. */
export type IncrementalFormat = "incrementalSpec=v0.2" | "deferSpec=20220824";

const installed = graphqlModule as unknown as {
  GraphQLDeferDirective?: GraphQLDirective;
  GraphQLStreamDirective?: GraphQLDirective;
};

/** What runs incremental operations unless the server is given another: graphscale's (graphql 17 only). */
export const defaultExecuteIncrementally: ExecuteIncrementally | undefined = installed.GraphQLDeferDirective === undefined ? undefined : (experimentalExecuteIncrementally as ExecuteIncrementally);

/** Whether the installed graphql knows @defer and @stream (graphql 17; graphql 16 answers "Unknown directive"). */
export const incrementalDeliveryAvailable = installed.GraphQLDeferDirective !== undefined && installed.GraphQLStreamDirective !== undefined;

export function isIncrementalResults(result: ExecutionResult | IncrementalResults): result is IncrementalResults {
  return "initialResult" in result;
}

/**
 * The schema with `@defer` and `@stream` (graphql-js 17 leaves them out of specifiedDirectives, and its
 * plain `execute` refuses a schema holding them): what incremental operations validate and run against.
 */
export function withIncrementalDirectives(schema: GraphQLSchema): GraphQLSchema {
  if (!incrementalDeliveryAvailable || schema.getDirective("defer")) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, installed.GraphQLDeferDirective!, installed.GraphQLStreamDirective!] });
}

/** A cheap look at the text before parsing it twice: only a query mentioning @defer or @stream can need them. */
export function mentionsIncrementalDirective(query: string): boolean {
  return query.includes("@defer") || query.includes("@stream");
}

/** Whether the document uses @defer or @stream anywhere (fragments included). */
export function usesIncrementalDirective(document: DocumentNode): boolean {
  let found = false;
  graphqlModule.visit(document, {
    Directive(node: DirectiveNode) {
      if (node.name.value === "defer" || node.name.value === "stream") found = true;
    },
  });
  return found;
}

/**
 * The incremental format a request's Accept header asks for, or null when it accepts no multipart/mixed.
 * `multipart/mixed` without a spec parameter, or with `incrementalSpec=v0.2`, gets graphql-js 17's payloads;
 * `multipart/mixed; deferSpec=20220824` (Apollo Kotlin and iOS, Apollo Client's Defer20220824Handler) the
 * 2022 shape. A range with q=0 is a refusal. The first acceptable range wins.
 */
export function acceptedIncrementalFormat(accept: string | string[] | undefined): IncrementalFormat | null {
  const text = Array.isArray(accept) ? accept.join(",") : (accept ?? "");
  for (const range of text.split(",")) {
    const [type, ...parameters] = range.split(";").map((part) => part.trim());
    if (type!.toLowerCase() !== "multipart/mixed") continue;
    const params = new Map(parameters.map((p) => {
      const at = p.indexOf("=");
      return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim().replace(/^"|"$/g, "")] as const;
    }));
    if (params.get("q") !== undefined && Number(params.get("q")) === 0) continue;
    const deferSpec = params.get("deferspec");
    const incrementalSpec = params.get("incrementalspec");
    if (deferSpec === "20220824" && incrementalSpec === undefined) return "deferSpec=20220824";
    if (deferSpec === undefined && (incrementalSpec === undefined || incrementalSpec === "v0.2")) return "incrementalSpec=v0.2";
  }
  return null;
}

/** The payloads in order: the initial one, then each subsequent one as it completes. Stopping stops execution. */
export async function* incrementalPayloads(result: IncrementalResults): AsyncGenerator<ExecutionResult | SubsequentPayload, void, void> {
  yield result.initialResult;
  yield* result.subsequentResults;
}

/**
 * Writes payloads as one multipart/mixed response, a part per payload, each flushed when its payload is ready.
 * `last` may add to the final payload (the example server's round trips). A client that goes away stops the
 * iteration, and so the execution behind it.
 */
export async function writeMultipart(
  res: ServerResponse,
  payloads: AsyncIterable<object>,
  format: IncrementalFormat,
  last: (payload: object) => object = (payload) => payload,
): Promise<void> {
  res.writeHead(200, { "content-type": `multipart/mixed; boundary="-"; ${format}`, "cache-control": "no-store", connection: "keep-alive" });
  res.write("\r\n---");
  for await (const payload of payloads) {
    if (res.destroyed) break;
    const done = (payload as { hasNext?: boolean }).hasNext === false;
    const json = JSON.stringify(done ? last(payload) : payload);
    res.write(`\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}\r\n---`);
  }
  if (!res.destroyed) res.end("--\r\n");
}

/** What answering one incremental request needs from the server around it. */
export interface IncrementalRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly document: DocumentNode;
  /** experimentalExecuteIncrementally's arguments other than the document and schema. */
  readonly args: Record<string, unknown>;
  readonly sendJSON: (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void;
  /** Adds to the last payload before it goes out (e.g. extensions.roundTrips). */
  readonly last?: (payload: object) => object;
}

/**
 * Runs an operation that uses @defer or @stream and answers it: one JSON body when nothing was deferred
 * (`@defer(if: false)`, or no fragment left to defer), multipart/mixed when the client accepts it, else 406.
 */
export async function serveIncremental(schema: GraphQLSchema, executeIncrementally: ExecuteIncrementally, request: IncrementalRequest): Promise<void> {
  const { req, res, sendJSON } = request;
  const format = acceptedIncrementalFormat(req.headers.accept);
  const result = await executeIncrementally({ ...request.args, schema, document: request.document } as never);
  if (!isIncrementalResults(result)) {
    sendJSON(res, "data" in result ? 200 : 400, request.last ? request.last(result) : result);
    return;
  }
  if (format === null) {
    // Yoga's answer to a client that accepts no multipart: 406, nothing deferred is run any further.
    await result.subsequentResults.return();
    sendJSON(res, 406, { errors: [{ message: "This operation uses @defer or @stream, so its result comes in several parts: send Accept: multipart/mixed (or run it at /graphql/stream over Server-Sent Events)." }] }, { accept: 'multipart/mixed; incrementalSpec=v0.2, multipart/mixed; deferSpec=20220824' });
    return;
  }
  const payloads = format === "deferSpec=20220824" ? legacyPayloads(incrementalPayloads(result)) : incrementalPayloads(result);
  await writeMultipart(res, payloads, format, request.last);
}
