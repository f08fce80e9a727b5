// Read-then-write increments of one counter with ifVersion, as an application would write them: read the
// object, write n + 1 at the version read, and on a CONFLICT read again and retry. Imported by
// kvetch-cas.test.ts, and run as a second OS process by it (`node --import tsx casIncrements.ts <json>`).
// Never writes without ifVersion; never retries anything but a CONFLICT.

import { pathToFileURL } from "node:url";
import { Kvetch, KvetchError, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

/** What one process did: increments applied, CONFLICTs met (each followed by a retry). */
export interface IncrementReport {
  applied: number;
  conflicts: number;
}

/** `count` increments of `id`'s data.n, by `workers` concurrent loops; at most 1,000 tries per increment. */
export async function increments(kvetch: Kvetch, id: string, count: number, workers: number): Promise<IncrementReport> {
  const report: IncrementReport = { applied: 0, conflicts: 0 };
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      for (let attempt = 1; ; attempt++) {
        const current = await kvetch.getObject(id);
        if (current === null) throw new Error(`counter ${id} is gone`);
        try {
          await kvetch.updateObject("User", id, { n: (current.data.n as number) + 1 }, { ifVersion: current.version });
          report.applied++;
          break;
        } catch (error) {
          if (!(error instanceof KvetchError) || error.code !== "CONFLICT") throw error;
          report.conflicts++;
          if (attempt === 1000) throw new Error(`increment of ${id} still conflicting after 1,000 tries`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return report;
}

/** The second process: `{ shards, redis: { url, keyPrefix }, id, count, workers }` in argv[2]; prints its report as JSON. */
async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]!) as { shards: string[]; redis: { url: string; keyPrefix: string }; id: string; count: number; workers: number };
  const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: args.shards, redis: args.redis }) });
  try {
    process.stdout.write(JSON.stringify(await increments(kvetch, args.id, args.count, args.workers)));
  } finally {
    await kvetch.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
