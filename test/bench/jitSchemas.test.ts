// graphql-jit's three benchmark schemas as the bench runs them: every engine (graphscale's resolver
// emulation, graphql-js, graphql-jit) gives the same response before anything is timed. Asserts results,
// never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkScenario } from "../../bench/scenario.js";
import { versionInfo } from "graphql";
import { jitSchemaScenario, type JitSchemaKind } from "../../bench/scenarios/jitSchemas.js";

// graphql-jit 0.8 compiles against graphql 16 only (on 17 its variables' types are not input types to it).
const jitRuns = versionInfo.major === 16;
if (!jitRuns) console.log(`SKIPPED test/bench/jitSchemas.test.ts: graphql-jit does not run on graphql ${versionInfo.major}`);

for (const kind of jitRuns ? (["fewResolvers", "manyResolvers", "nestedArrays"] as JitSchemaKind[]) : []) {
  test(`bench jit-${kind}: graphscale (resolver emulation), graphql-js and graphql-jit agree`, async () => {
    const scenario = await jitSchemaScenario(kind);
    assert.equal(scenario.engines.map((e) => e.key), ["graphscale-resolvers", "graphql-js", "graphql-jit"]);
    await checkScenario(scenario);
  });
}

test.run();
