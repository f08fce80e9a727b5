// One engine on one of bench/smallShapes.ts's shapes, for callgrind: warm-up requests, then rounds of N
// sequential requests each between two process.cpuUsage() calls (libuv's uv_getrusage), so that
// `valgrind --tool=callgrind --dump-before=uv_getrusage node --single-threaded <bundle> <shape> <engine> <n>`
// writes each round's instructions as a part of its own (parts 2, 4, 6...). Instructions per request do not
// depend on the machine's load; the smallest round leaves out a late optimizing compile or a collection.
// Bundle it as bench/smallShapes.ts says, into a directory of the checkout (scratch/ is ignored by git), so
// that its imports resolve from the checkout's node_modules. Per round, the part's `summary:` line divided
// by N is the round's instructions per request; callgrind_annotate's inclusive Heap::CollectGarbage count of
// the part, divided by N, is its garbage collection's share.

import { cpuUsage } from "node:process";
import { manyResolversScenario, smallQueryScenario } from "./scenarios/cpu.js";
import { jitSchemaScenario, type JitSchemaKind } from "./scenarios/jitSchemas.js";

const [shape = "small", key = "graphscale", count = "2000", warm = "20000", roundsText = "4"] = process.argv.slice(2);
// `small`, `many` (the CPU table's two small shapes) or `jit-<kind>` (graphql-jit's benchmark schemas).
const scenario =
  shape === "small" ? await smallQueryScenario() : shape.startsWith("jit-") ? await jitSchemaScenario(shape.slice(4) as JitSchemaKind) : await manyResolversScenario();
const engine = scenario.engines.find((e) => e.key === key);
if (engine === undefined) throw new Error(`no engine ${key}`);

async function requests(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await engine!.run();
}

await requests(Number(warm));
for (let r = 0; r < Number(roundsText); r++) {
  cpuUsage();
  await requests(Number(count));
  cpuUsage();
}
