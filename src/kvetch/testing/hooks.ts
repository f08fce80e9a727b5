// Fault injection for tests of a store: the hooks object of one Kvetch instance, to stop a write between its
// canonical and derived rows (as a crash would) or to race a cache refill. Never part of graphscale/kvetch.

import type { Kvetch } from "../kvetch.js";
import { KvetchError } from "../errors.js";
import { testHooksOf } from "../store.js";
import type { KvetchTestHooks } from "../store.js";

export type { KvetchTestHooks };

/** kvetchTestHooks: the live hooks of `kvetch`; set a hook to interrupt, delete it to stop. */
export function kvetchTestHooks(kvetch: Kvetch): KvetchTestHooks {
  const hooks = testHooksOf.get(kvetch);
  if (hooks === undefined) throw new KvetchError("BAD_ARGUMENT", "kvetchTestHooks needs a Kvetch made by new Kvetch(...)");
  return hooks;
}
