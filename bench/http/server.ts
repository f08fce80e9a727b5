// One server process of the HTTP bench: `node server.js '<ServerConfig as JSON>'` with an IPC channel. Builds
// the server (bench/http/app.ts), listens on a free port of 127.0.0.1, then answers the driver's messages:
// "stats" → once no request is in flight, its CPU time, RSS, the requests it has answered and the plans graphscale
// has built (0 for the other engines), "close" → closes and exits. Tells the driver its port, the request body and
// the expected response once ready, or why it could not start.

import type { AddressInfo } from "node:net";
import { getPlanCacheStats } from "../../src/index.js";
import { buildServer, type ServerConfig } from "./app.js";

export type ServerMessage =
  | { type: "ready"; port: number; body: unknown; expected: unknown }
  | { type: "stats"; cpuMs: number; rss: number; handled: number; plansBuilt: number }
  | { type: "error"; message: string };

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("bench/http/server: start it from the HTTP bench driver (it needs an IPC channel)");
  const config = JSON.parse(process.argv[2] ?? "null") as ServerConfig | null;
  if (config === null) throw new Error("bench/http/server: the server config (JSON) is the first argument");
  const built = await buildServer(config);
  await new Promise<void>((resolve) => built.server.listen(0, "127.0.0.1", resolve));
  built.server.keepAliveTimeout = 60_000;
  // Requests answered, counted by the server: those still in flight when the load generator stopped count too,
  // so CPU time ÷ requests is not inflated by work whose response the driver never received.
  let inFlight = 0;
  let handled = 0;
  built.server.on("request", (_req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      handled++;
    });
  });
  const idle = async (): Promise<void> => {
    for (let waited = 0; inFlight > 0 && waited < 60_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  process.on("message", (message: { type: string }) => {
    if (message.type === "stats") {
      void idle().then(() => {
        const cpu = process.cpuUsage();
        const plansBuilt = config.engine === "graphscale" ? getPlanCacheStats(built.schema).plansBuilt : 0;
        send({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, handled, plansBuilt });
      });
    } else if (message.type === "close") {
      built.server.closeAllConnections();
      built.server.close();
      void built.close().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port: (built.server.address() as AddressInfo).port, body: built.body, expected: JSON.parse(JSON.stringify(built.expected)) });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
