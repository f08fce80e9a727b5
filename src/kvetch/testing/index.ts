// graphscale/kvetch/testing: what a test of a Kvetch store or of a new backend needs — the backend contract
// suite and fault-injection hooks. Never imported by the store itself; never a runtime dependency on a test runner.

export { kvetchTestHooks } from "./hooks.js";
export type { KvetchTestHooks } from "./hooks.js";
