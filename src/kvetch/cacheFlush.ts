// The cache's last resort after an outage that outgrew its memory of missed invalidations, or a Redis that was
// replaced (spec/kvetch-storage.md §7.3, §7.5): delete what is cached under the key prefix, keep the dependency
// versions and the epoch's keys, and move every version. Never deletes a key outside the prefix.

import type { Cluster, Redis } from "ioredis";

/** The prefix with glob metacharacters escaped, so SCAN MATCH sees exactly the keys that start with it. */
export function globEscape(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, "\\$&");
}

/** The key whose value is the number of flushes of a prefix, read with every dependency version. */
export function epochKey(prefix: string): string {
  return `${prefix}{epoch}:e`;
}

/**
 * Deletes every key under the prefix on every master node except the version keys (`…:d`) and the keys of
 * the epoch's slot (`<prefix>{epoch}:…`: the epoch, the write counter, the identity):
 * versions are never deleted (one that came back as 0 could equal one a client holds). The caller then bumps
 * the epoch, which moves every version, changed or not (which invalidations were forgotten is unknown).
 */
export async function flushPrefix(client: Redis | Cluster, singleNode: string | null, prefix: string, count: (node: string) => void): Promise<void> {
  const nodes: Redis[] = singleNode !== null ? [client as Redis] : (client as Cluster).nodes("master");
  const kept = `${prefix}{epoch}:`;
  for (const node of nodes) {
    const name = singleNode ?? `${node.options.host}:${node.options.port}`;
    let cursor = "0";
    do {
      count(name);
      const [next, found] = await node.scan(cursor, "MATCH", `${globEscape(prefix)}*`, "COUNT", 1000);
      cursor = next;
      const keys = found.filter((key) => key.startsWith(prefix) && !key.endsWith(":d") && !key.startsWith(kept));
      if (keys.length > 0) {
        count(name);
        if (singleNode !== null) await node.unlink(keys);
        else {
          // keys of different slots may not share a command even on one node; one pipeline is one round trip
          const pipeline = node.pipeline();
          for (const key of keys) pipeline.unlink(key);
          await pipeline.exec();
        }
      }
    } while (cursor !== "0");
  }
}
