// `POST /deps/check`: a client holding a response's dependencies ({ key: version } or [{ key, version }])
// asks which moved, and gets `{ moved: [key…] }` from one checkDeps call. The server remembers nothing
// about the client. Malformed keys or versions and lists above the store's maximum are 400s with the
// store's message; a store that cannot answer is a 503, never a list that claims nothing moved.

import type { ServerResponse } from "node:http";

/** What the endpoint needs of a store (a Kvetch is one). */
export interface DepsChecker {
  checkDeps(deps: Record<string, number | null> | readonly { key: string; version: number | null }[]): Promise<string[]>;
}

/** A client mistake the server answers with `status` and this message. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** CheckDeps (spec/reactivity.md) over HTTP: the body's `deps` checked in one call, the moved keys in input order. */
export async function handleCheckDeps(store: DepsChecker, body: unknown, res: ServerResponse, send: (res: ServerResponse, status: number, body: unknown) => void): Promise<void> {
  const deps = (body as { deps?: unknown } | null)?.deps;
  if (deps === null || typeof deps !== "object") {
    throw new ClientError(400, 'POST /deps/check needs a JSON body { "deps": { "<key>": <version> } } or { "deps": [{ "key", "version" }] } (extensions.deps of a response, flattened).');
  }
  let moved: string[];
  try {
    moved = await store.checkDeps(deps as Record<string, number | null>);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "BAD_ARGUMENT") throw new ClientError(400, (error as Error).message);
    if (code === "SHARD_UNAVAILABLE") throw new ClientError(503, "The version store is unreachable; try again (nothing can be reported unchanged meanwhile).");
    throw error;
  }
  send(res, 200, { moved });
}
