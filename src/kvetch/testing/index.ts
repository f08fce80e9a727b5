// graphscale/kvetch/testing: what a test of a Kvetch store or of a new backend needs — the backend contract
// suite, its schema, and fault-injection hooks. Never imported by the store itself; never a runtime dependency
// on a test runner (the caller hands in its own `suite`).

export { runBackendContractSuite } from "./contract.js";
export type { BackendContractOptions, ContractSuite } from "./contract.js";
export { contractSchema } from "./contractSchema.js";
export { kvetchTestHooks } from "./hooks.js";
export type { KvetchTestHooks } from "./hooks.js";
