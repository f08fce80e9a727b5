// One server process of the HTTP bench: `node server.js '<ServerConfig as JSON>'` with an IPC channel (or, with
// `'{"role":"driver"}'`, one load generator of the side-by-side mode). Builds
// the server (bench/http/app.ts), listens on a free port of 127.0.0.1, then answers the driver's messages:
// "stats" → once no request is in flight, its CPU time, RSS, the requests it has answered and the plans graphscale
// has built (0 for the other engines), "close" → closes and exits. Tells the driver its port, the request body and
// the expected response once ready, or why it could not start.

import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { getPlanCacheStats } from "../../src/index.js";
import { buildServer, isGraphscale, type ServerConfig } from "./app.js";

/** What an autocannon run reports (the fields the bench reads), sent back by a driver process. */
export type Driven = Pick<autocannon.Result, "duration" | "errors" | "timeouts" | "mismatches" | "non2xx" | "2xx"> & { latency: { p50: number; p99: number } };

export type ServerMessage =
  | { type: "ready"; port: number; body: unknown; expected: unknown }
  | { type: "stats"; cpuMs: number; rss: number; handled: number; plansBuilt: number; storeCalls: number }
  | { type: "driven"; result: Driven }
  | { type: "marked" }
  | { type: "error"; message: string };

/**
 * The side-by-side mode's load generator (`node server.js '{"role":"driver"}'`): a process of its own that runs
 * autocannon with the options each "drive" message carries and answers "driven" with its figures, so that
 * every engine's server is driven at once, each by its own process.
 */
async function driver(): Promise<void> {
  process.on("message", (message: { type: string; options?: autocannon.Options }) => {
    if (message.type === "drive") {
      autocannon(message.options!).then(
        (r) => send({ type: "driven", result: { duration: r.duration, errors: r.errors, timeouts: r.timeouts, mismatches: r.mismatches, non2xx: r.non2xx, "2xx": r["2xx"], latency: { p50: r.latency.p50, p99: r.latency.p99 } } }),
        (error: unknown) => send({ type: "error", message: String(error) }),
      );
    } else if (message.type === "close") process.exit(0);
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port: 0, body: null, expected: null });
}

/**
 * bench/http/instructions.ts's marks: `process.cpuUsage()` (libuv's uv_getrusage, where callgrind starts a new
 * part) once `warm` requests are answered and after every `count` more, `rounds` times; then "marked".
 */
function mark(handled: number, marks: NonNullable<ServerConfig["marks"]>): void {
  const measured = handled - marks.warm;
  if (measured < 0 || measured % marks.count !== 0 || measured > marks.count * marks.rounds) return;
  process.cpuUsage();
  if (measured === marks.count * marks.rounds) send({ type: "marked" });
}

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("bench/http/server: start it from the HTTP bench driver (it needs an IPC channel)");
  const config = JSON.parse(process.argv[2] ?? "null") as ServerConfig | { role: "driver" } | null;
  if (config === null) throw new Error("bench/http/server: the server config (JSON) is the first argument");
  if ("role" in config) return driver();
  const built = await buildServer(config);
  await new Promise<void>((resolve) => built.server.listen(0, "127.0.0.1", resolve));
  built.server.keepAliveTimeout = 60_000;
  // Requests answered, counted by the server: those still in flight when the load generator stopped count too,
  // so CPU time ÷ requests is not inflated by work whose response the driver never received.
  let inFlight = 0;
  let handled = 0;
  const marks = config.marks;
  built.server.on("request", (_req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      handled++;
      if (marks !== undefined) mark(handled, marks);
    });
  });
  const idle = async (): Promise<void> => {
    for (let waited = 0; inFlight > 0 && waited < 60_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  process.on("message", (message: { type: string }) => {
    if (message.type === "stats") {
      void idle().then(() => {
        const cpu = process.cpuUsage();
        const plansBuilt = isGraphscale(config.engine) ? getPlanCacheStats(built.schema).plansBuilt : 0;
        send({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, handled, plansBuilt, storeCalls: built.kvetch?.counters.calls ?? 0 });
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
