// graphscale behind graphql-http (spec/serving.md, GraphqlHttpOptions): the options of graphql-http's
// `createHandler` that run graphscale's `execute` and write a clean result's response itself. graphql-http
// stringifies every result with a replacer function (turning plain Errors into `{ message }`), which takes
// JSON.stringify off its fast path: each key and value of the response goes through a JavaScript call. A
// graphscale result without errors holds no Error (its errors are GraphQLErrors, its data plain values), so
// its text without the replacer is byte for byte graphql-http's; a result with errors is left to graphql-http
// (its formatError, its statuses). Imports no graphql-http module: the options are plain functions.

import type { ExecutionArgs, ExecutionResult } from "graphql";
import { execute } from "../engine/index.js";

type PromiseOrValue<T> = T | Promise<T>;

/** graphql-http's response: the body and its ResponseInit (a structural copy of its `Response` type). */
export type GraphqlHttpResponse = [body: string | null, init: { status: number; statusText: string; headers: Record<string, string> }];

/** The request graphql-http hands `onOperation` (a structural subset: its headers, a record or a Headers). */
export interface GraphqlHttpRequest {
  readonly headers: unknown;
}

/** What `onOperation` may answer, as graphql-http takes it: a response, a replacement result, or nothing. */
type OnOperationAnswer = PromiseOrValue<GraphqlHttpResponse | ExecutionResult | void | undefined>;

export interface GraphqlHttpOptions {
  execute: (args: ExecutionArgs) => PromiseOrValue<ExecutionResult>;
  onOperation: (req: GraphqlHttpRequest, args: ExecutionArgs, result: ExecutionResult) => OnOperationAnswer;
}

export interface GraphqlHttpOptionsInput {
  /**
   * The server's own `onOperation`, if it has one: it runs first, and a response or result it returns is
   * what graphql-http gets (then not written by graphscale).
   */
  onOperation?: (req: GraphqlHttpRequest, args: ExecutionArgs, result: ExecutionResult) => OnOperationAnswer;
}

const JSON_TYPE = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8";

/**
 * spec: GraphqlHttpOptions — `createHandler({ schema, context, ...graphqlHttpOptions() })`: graphscale's
 * `execute`, and an `onOperation` that answers a result without errors with its JSON text (status 200, the
 * content type graphql-http negotiated); other results go on to graphql-http's own response.
 */
export function graphqlHttpOptions(input: GraphqlHttpOptionsInput = {}): GraphqlHttpOptions {
  const own = input.onOperation;
  return {
    execute: execute as GraphqlHttpOptions["execute"],
    onOperation:
      own === undefined
        ? respond
        : (req, args, result) => {
            const answer = own(req, args, result);
            if (answer !== undefined && answer !== null && typeof (answer as Promise<unknown>).then === "function") {
              return (answer as Promise<Awaited<OnOperationAnswer>>).then((settled) => (settled ? settled : respond(req, args, result)));
            }
            return answer ? answer : respond(req, args, result);
          },
  };
}

/** onOperation: a clean result written as graphql-http would write it, without its replacer. */
function respond(req: GraphqlHttpRequest, _args: ExecutionArgs, result: ExecutionResult): GraphqlHttpResponse | undefined {
  if (result === null || typeof result !== "object" || result.errors !== undefined || Symbol.asyncIterator in result) return undefined;
  const type = contentTypeOf(header(req.headers, "accept"));
  if (type === null) return undefined;
  return [JSON.stringify(result), { status: 200, statusText: "OK", headers: { "content-type": type } }];
}

function header(headers: unknown, name: string): string | null {
  if (headers === null || typeof headers !== "object") return null;
  const get = (headers as { get?: unknown }).get;
  const value = typeof get === "function" ? (get as (key: string) => unknown).call(headers, name) : (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : null;
}

/** The content types of Accept headers seen (a few distinct ones in practice; at most 64 kept). */
const contentTypes = new Map<string, string | null>();

/** The response's content type for an Accept header, as graphql-http 1.x negotiates it (null: not acceptable). */
export function contentTypeOf(accept: string | null): string | null {
  const key = accept ?? "";
  let type = contentTypes.get(key);
  if (type === undefined) {
    type = negotiate(accept || "*/*");
    if (contentTypes.size < 64) contentTypes.set(key, type);
  }
  return type;
}

function negotiate(accept: string): string | null {
  for (const entry of accept.replace(/\s/g, "").toLowerCase().split(",")) {
    const [mediaType, ...params] = entry.split(";");
    const charset = params.find((param) => param.includes("charset=")) || "charset=utf-8";
    if (mediaType === "application/graphql-response+json" && charset === "charset=utf-8") return GRAPHQL_RESPONSE_TYPE;
    if ((mediaType === "application/json" || mediaType === "application/*" || mediaType === "*/*") && (charset === "charset=utf-8" || charset === "charset=utf8")) {
      return JSON_TYPE;
    }
  }
  return null;
}
