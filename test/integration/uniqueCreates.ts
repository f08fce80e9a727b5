// Creates of members with one email, as a second OS process runs them for kvetch-unique.test.ts
// (`node --import tsx uniqueCreates.ts <json>`): once its store is open it prints "ready" and waits for a line
// on stdin, then makes `count` creates at once, reporting the ids created and the codes of the refusals. With GRAPHSCALE_TEST_KILL_AFTER_CLAIM=1 in its environment the process kills itself
// (SIGKILL) once its first create has claimed the email and before the canonical row: a crash at that point.

import { pathToFileURL } from "node:url";
import { Kvetch, KvetchError, defineSchema, mysqlBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";

/** Clubs and their members; a member's email is unique, and its clubId makes the derived edge club_members. */
export const uniqueSchema = defineSchema({
  objects: [
    { name: "Club", typeId: 1 },
    { name: "Member", typeId: 2 },
  ],
  edges: [{ name: "club_members", edgeId: 1, storedIdAttr: "clubId", storedOnType: "Member" }],
  indexes: [{ name: "member_email", indexId: 1, indexedType: "Member", indexedAttr: "email", unique: true }],
});

/** What one process's creates did: the ids created, and each refusal's code. */
export interface CreateReport {
  created: string[];
  refused: string[];
}

/** `count` creates of a member with `email` in `clubId`, all at once. */
export async function createMembers(kvetch: Kvetch, email: string, clubId: string, count: number): Promise<CreateReport> {
  const report: CreateReport = { created: [], refused: [] };
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        report.created.push((await kvetch.createObject("Member", { email, clubId, name: `member ${i}` })).id);
      } catch (error) {
        if (!(error instanceof KvetchError)) throw error;
        report.refused.push(error.code);
      }
    }),
  );
  return report;
}

/** The second process: `{ shards, redis, email, clubId, count }` in argv[2]; prints its report as JSON. */
async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]!) as { shards: string[]; redis: { url: string; keyPrefix: string }; email: string; clubId: string; count: number };
  const kvetch = new Kvetch({ schema: uniqueSchema, backend: mysqlBackend({ shards: args.shards, redis: args.redis }) });
  if (process.env.GRAPHSCALE_TEST_KILL_AFTER_CLAIM === "1") {
    // The hook makes the process a crash at that point of a create: nothing after the claim runs.
    kvetchTestHooks(kvetch).afterUniqueClaim = () => {
      process.kill(process.pid, "SIGKILL");
    };
  }
  try {
    // Open first, say so, and start on the parent's "go": both processes then create at the same moment.
    await kvetch.getObjects([args.clubId]);
    process.stdout.write("ready\n");
    await new Promise((resolve) => process.stdin.once("data", resolve));
    process.stdout.write(JSON.stringify(await createMembers(kvetch, args.email, args.clubId, args.count)));
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
