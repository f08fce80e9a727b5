// A TCP proxy on 127.0.0.1 for fault tests: it forwards every connection to a target (MariaDB), and can be
// switched to blackhole mode — connections are accepted and never answered, bytes on open connections are
// swallowed — and back. Switching back closes the connections that were blackholed (their protocol state is
// lost), as a server that came back would; `cut()` closes every open connection at once, as a restart would.
// Counts what it saw, so tests assert numbers, not times.

import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted since the start. */
  readonly accepted: () => number;
  /** Chunks of client bytes that arrived while blackholed (swallowed). */
  readonly swallowed: () => number;
  blackhole(): void;
  forward(): void;
  /** Closes every open connection at once (both sides), as a server restart would; new ones are forwarded. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: "forward" | "blackhole" = "forward";
  let accepted = 0;
  let swallowed = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket | null; held: boolean }>();

  const server: Server = createServer((client) => {
    accepted++;
    const pair = { client, upstream: null as Socket | null, held: mode === "blackhole" };
    pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.on("data", (chunk) => {
      if (mode === "blackhole" || pair.held) {
        swallowed++;
        return;
      }
      pair.upstream?.write(chunk);
    });
    if (pair.held) return; // accepted, never answered
    const upstream = connect({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => client.destroy());
    upstream.on("data", (chunk) => {
      if (mode === "forward" && !pair.held) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    accepted: () => accepted,
    swallowed: () => swallowed,
    blackhole() {
      mode = "blackhole";
      for (const pair of pairs) pair.held = true;
    },
    cut() {
      const open = pairs.size;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      return open;
    },
    forward() {
      mode = "forward";
      for (const pair of pairs) {
        if (!pair.held) continue;
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
