// A second OS process that deletes one object with the library schema's delete rules on MySQL shards + Redis and
// is SIGKILLed by its own test hook, deterministically: after the canonical rows of its KILL_AFTER-th delete
// call committed and before their derived rows (GRAPHSCALE_TEST_KILL_AFTER_DELETES). Started with fork().

import { fork } from "node:child_process";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { libraryKvetchSchema } from "../kvetch/deleteRulesCases.js";

/** Runs the delete in a child process that kills itself after `killAfter` delete calls; resolves with its exit signal. */
export function deleteInChild(shards: readonly string[], redis: { url: string; keyPrefix: string }, id: string, killAfter: number): Promise<NodeJS.Signals | null> {
  const child = fork(new URL(import.meta.url).pathname, ["--child", JSON.stringify({ shards, redis, id })], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, GRAPHSCALE_TEST_KILL_AFTER_DELETES: String(killAfter) },
  });
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
}

async function run(config: { shards: string[]; redis: { url: string; keyPrefix: string }; id: string }): Promise<void> {
  const kvetch = new Kvetch({ schema: libraryKvetchSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis }) });
  const killAfter = Number(process.env.GRAPHSCALE_TEST_KILL_AFTER_DELETES);
  let deletes = 0;
  kvetchTestHooks(kvetch).afterCanonicalWrite = ({ op }) => {
    if (op === "delete" && ++deletes === killAfter) process.kill(process.pid, "SIGKILL");
  };
  await kvetch.deleteObject(config.id);
  await kvetch.close();
  process.exit(0); // not killed: the delete had fewer calls than killAfter
}

if (process.argv[2] === "--child") await run(JSON.parse(process.argv[3]!));
