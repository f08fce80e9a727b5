// A version store that does not answer (a Redis stopped as by SIGSTOP: the connection stays open, nothing
// comes back) fails checkDeps and dependencyVersions as a disconnected one does: a KvetchError with code
// SHARD_UNAVAILABLE naming the call — never the client's raw "Command timed out". Simulated by a TCP proxy
// that stops passing bytes in both directions while keeping every connection open.
import { connect, createServer, type Server, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { REDIS_URL, cacheConnected, deleteKeys, serversUp, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const keyPrefix = testKeyPrefix("stall");
const up = await serversUp("test/integration/kvetch-redis-stall.test.ts", { redis: true });
const serverTest = testWhen(up);

/** A proxy in front of the test Redis that can stall (hold every byte, close nothing) or drop every connection. */
class StallingProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private readonly held: (() => void)[] = [];
  port = 0;

  async start(): Promise<void> {
    const target = new URL(REDIS_URL);
    const server = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port || 6379) });
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(from);
        from.on("close", () => this.sockets.delete(from));
        from.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
        from.on("data", (chunk: Buffer) => {
          if (this.stalled) this.held.push(() => to.write(chunk));
          else to.write(chunk);
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  stall(): void {
    this.stalled = true;
  }

  /** Drops every connection (and what was held) and stops listening: Redis is gone. */
  async stop(): Promise<void> {
    this.held.length = 0;
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

function assertUnavailable(error: unknown, call: string): void {
  assert.ok(error instanceof KvetchError, `not a KvetchError: ${String(error)}`);
  assert.is((error as KvetchError).code, "SHARD_UNAVAILABLE");
  assert.ok((error as KvetchError).message.startsWith(`Kvetch: ${call}: `), (error as KvetchError).message);
  assert.match((error as KvetchError).message, /version store \(Redis\)/);
}

serverTest("checkDeps and dependencyVersions: SHARD_UNAVAILABLE naming the call, from a stalled Redis as from a disconnected one", async () => {
  const proxy = new StallingProxy();
  await proxy.start();
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix } }) });
  try {
    await cacheConnected(kvetch);
    const item = await kvetch.createObject("User", { name: "Stall", username: "stall" });
    const key = `object:${item.id}`;
    const [version] = await kvetch.dependencyVersions([key]);
    assert.equal(await kvetch.checkDeps({ [key]: version! }), [], "answers while Redis does");

    proxy.stall();
    assertUnavailable(await rejection(kvetch.checkDeps({ [key]: version! })), "checkDeps");
    assertUnavailable(await rejection(kvetch.dependencyVersions([key])), "dependencyVersions");
    assert.is((await kvetch.health()).cache?.status, "ready", "the connection was still open: this was a stall, not a disconnect");

    await proxy.stop();
    for (let i = 0; i < 200 && (await kvetch.health()).cache?.status === "ready"; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assertUnavailable(await rejection(kvetch.checkDeps({ [key]: version! })), "checkDeps");
    assertUnavailable(await rejection(kvetch.dependencyVersions([key])), "dependencyVersions");

    // A malformed key is still the caller's error, found before any I/O.
    const bad = (await rejection(kvetch.checkDeps({ "object:nope": 1 }))) as KvetchError;
    assert.is(bad.code, "BAD_ARGUMENT");
  } finally {
    await kvetch.close();
    await proxy.stop();
  }
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
});

test.run();
