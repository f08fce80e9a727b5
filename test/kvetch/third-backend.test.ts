// The backend contract suite, through the public graphscale/kvetch/testing entry, on a backend written
// outside the store (test/kvetch/third-backend.ts): a user's own backend passes the same tests as ours.
import { suite } from "uvu";
import { runBackendContractSuite } from "../../src/kvetch/testing/index.js";
import { mapBackend } from "./third-backend.js";

runBackendContractSuite({ name: "a third backend: plain maps (4 shards)", suite, makeBackend: () => mapBackend(4) });
