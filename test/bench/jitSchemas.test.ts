// graphql-jit's three benchmark schemas as the bench runs them: every engine (graphscale's resolver
// emulation, graphql-js, graphql-jit) gives the same response before anything is timed. Asserts results,
// never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkScenario } from "../../bench/scenario.js";
import { jitSchemaScenario, type JitSchemaKind } from "../../bench/scenarios/jitSchemas.js";

for (const kind of ["fewResolvers", "manyResolvers", "nestedArrays"] as JitSchemaKind[]) {
  test(`bench jit-${kind}: graphscale (resolver emulation), graphql-js and graphql-jit agree`, async () => {
    const scenario = await jitSchemaScenario(kind);
    assert.equal(scenario.engines.map((e) => e.key), ["graphscale-resolvers", "graphql-js", "graphql-jit"]);
    await checkScenario(scenario);
  });
}

test.run();
