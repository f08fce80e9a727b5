// A backend whose shards' calls a test can watch, hold or fail: every method call of every shard store goes
// through `around`, on the same data as the inner backend (open several stores on one backend).
import type { KvetchBackend, KvetchCounters, ShardStore } from "../../src/kvetch/index.js";

/** What `around` gets: the shard, the method, its arguments, and the call itself (run it, or do not). */
export type AroundShardCall = (shard: number, method: string, args: unknown[], call: () => Promise<unknown>) => Promise<unknown>;

export function aroundShardCalls(inner: KvetchBackend, around: AroundShardCall): KvetchBackend {
  return {
    ...inner,
    openShards: (counters: KvetchCounters): ShardStore[] =>
      inner.openShards(counters).map(
        (store) =>
          new Proxy(store, {
            get(target, name) {
              const value = Reflect.get(target, name) as unknown;
              if (typeof value !== "function") return value;
              return (...args: unknown[]) => around(target.shard, String(name), args, async () => (value as (...a: unknown[]) => unknown).apply(target, args));
            },
          }),
      ),
  };
}

/** Holds the calls that wait on it until opened; `reached` resolves when the first one waits. */
export interface Gate {
  reached: Promise<void>;
  open: () => void;
  wait: () => Promise<void>;
}

export function gate(): Gate {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    wait: () => {
      reach();
      return opened;
    },
  };
}
