// The memory backend's schema lock (spec/kvetch-storage.md §2.5): each shard's copy kept beside its rows, so
// every Kvetch over one backend object sees it, with the two ShardStore methods over it. Each call is one
// counted round trip; never stores a copy over a newer one.

import type { KvetchCounters, ShardStore } from "./backend.js";

/** A memory shard's copy: its stored text and version. */
interface MemoryLock {
  text: string;
  version: number;
}

/** The copy of each memory shard (keyed by its data object); absent: none. */
const locks = new WeakMap<object, MemoryLock>();

/** withMemorySchemaLock: `store` (the memory shard over `data`) given readSchemaLock and writeSchemaLock. */
export function withMemorySchemaLock<S extends ShardStore>(store: S, data: object, counters: KvetchCounters): S {
  const roundTrip = async (): Promise<void> => {
    counters.shardQueries[store.shard]!++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const methods: Required<Pick<ShardStore, "readSchemaLock" | "writeSchemaLock">> = {
    async readSchemaLock() {
      await roundTrip();
      return locks.get(data)?.text ?? null;
    },
    async writeSchemaLock(text, version, expectVersion) {
      await roundTrip();
      if ((locks.get(data)?.version ?? 0) <= expectVersion) locks.set(data, { text, version });
      return locks.get(data)?.text ?? null;
    },
  };
  return Object.assign(store, methods);
}
