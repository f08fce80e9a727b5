// Kept only for examples/server/server.ts, which imports ExplainOption from this path; explain lives in
// ./explain/. Never add code here: import from "./explain/index.js" (or the package's src/index.ts).

export * from "./explain/index.js";
