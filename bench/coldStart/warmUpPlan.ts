// Prints the body of the plan the engine's warm-up imports (WarmUpLoads, spec/plan-cache.md): exportPlan of
// WARM_UP_LOADS_OPERATION over WARM_UP_LOADS_TYPE_DEFS with loadOne/loadMany plans calling the named
// functions. Paste it into src/engine/planExport/warmUpPlan.ts when the plan format changes.
//   npx tsx bench/coldStart/warmUpPlan.ts
import { parse } from "graphql";
import { exportPlan, makeSchema, type Step } from "../../src/index.js";
import { constant, loadMany, loadOne } from "../../steps/index.js";
import { WARM_UP_LOADS_FUNCTIONS, WARM_UP_LOADS_OPERATION, WARM_UP_LOADS_TYPE_DEFS } from "../../src/engine/planExport/warmUpPlan.js";

const { warmUpOne, warmUpMany } = WARM_UP_LOADS_FUNCTIONS;
const schema = makeSchema({
  typeDefs: WARM_UP_LOADS_TYPE_DEFS,
  functions: WARM_UP_LOADS_FUNCTIONS,
  plans: {
    Query: { one: () => loadOne(constant("1"), warmUpOne) },
    Item: { items: ($item: Step) => loadMany($item.get("n"), warmUpMany), item: ($item: Step) => loadOne($item.get("n"), warmUpOne) },
  },
});
const text = exportPlan(schema, parse(WARM_UP_LOADS_OPERATION));
console.log(text.slice(text.indexOf("\n") + 1));
