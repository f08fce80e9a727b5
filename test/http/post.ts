// POSTs a GraphQL request to a test server's /graphql once it listens; the status and the parsed JSON body.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function post(server: Server, body: unknown): Promise<{ status: number; json: any }> {
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
