// graphscale: plan-based GraphQL execution. The package entry: the engine's public API (src/engine/index.ts);
// everything else is internal.

export * from "./engine/index.js";
