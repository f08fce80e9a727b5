// Exported plans: the todo view's plan written to a plan store on Redis is executed by a second process
// without planning; a changed schema, a cut or an edited plan text is planned again with a warning; the
// 200-field query's plan imports without running the planner; an unnamed closure blocks export by name
// (exportBlocker gives the text exportPlan's error carries); a stored plan made for other @include values
// is not imported: the request plans and its plan replaces the stored one.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { planBody, withBody } from "./planText.js";
import { fileURLToPath } from "node:url";
import { GraphQLSchema, parse } from "graphql";
import { Redis } from "ioredis";
import { PLAN_FORMAT_VERSION, execute, executeToJSON, explainPlan, exportBlocker, exportPlan, getPlanCacheStats, importPlan, makeSchema, type Limits, type PlanStore, type Step } from "../../src/index.js";
import { lambda, loadOne } from "../../steps/index.js";
import { REDIS_URL, runTodoView } from "./todoPlanStore.js";
import { checkStats } from "../../src/engine/planExport/checkPlan.js";

const child = fileURLToPath(new URL("./todoPlanStore.ts", import.meta.url));
const prefix = `graphscale-test:plans:${process.pid}:`;

function inChild(...args: string[]): { result: unknown; plansBuilt: number; plansImported: number; warnings: string[] } {
  const run = spawnSync(process.execPath, ["--import", "tsx", child, prefix, ...args], { encoding: "utf8" });
  assert.is(run.status, 0, run.stderr.slice(-3000));
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function storedKeys(): Promise<string[]> {
  return withRedis((redis) => redis.keys(`${prefix}*`));
}

test.after(async () => {
  await withRedis(async (redis) => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
});

test("plan store: a second process runs the todo view with plansBuilt 0 and the same result", async () => {
  const first = await runTodoView(prefix, false);
  assert.is(first.plansBuilt, 1);
  assert.is(first.plansImported, 0);
  assert.equal((await storedKeys()).length, 1);
  const second = inChild();
  assert.is(second.plansBuilt, 0);
  assert.is(second.plansImported, 1);
  assert.equal(second.warnings, []);
  assert.equal(second.result, first.result);
  assert.is((second.result as { data: { todoUser: { todoLists: unknown[] } } }).data.todoUser.todoLists.length, 10);
});

test("plan store: a schema with one field more plans again (its fingerprint differs)", () => {
  const changed = inChild("changed");
  assert.is(changed.plansBuilt, 1);
  assert.is(changed.plansImported, 0);
});

for (const [what, spoil] of [
  ["cut short", (text: string) => text.slice(0, Math.floor(text.length / 2))],
  ["edited", (text: string) => text.replace("LoadObject", "LoadEdges")],
  ["not JSON at all", () => "\u0000garbage"],
] as const) {
  test(`plan store: a plan text ${what} is planned again with a warning and the result is right`, async () => {
    const good = await runTodoView(prefix, false); // the plan is in the store
    await withRedis(async (redis) => {
      for (const key of await storedKeys()) {
        const text = (await redis.get(key))!;
        const spoiled = spoil(text);
        assert.is.not(spoiled, text);
        await redis.set(key, spoiled);
      }
    });
    const run = inChild();
    assert.is(run.plansBuilt, 1);
    assert.is(run.plansImported, 0);
    assert.is(run.warnings.length, 1, run.warnings.join("\n"));
    assert.equal(run.result, good.result);
  });
}

/** The 200-field query of the planning bench: 4 aliases × 50 scalar fields over loadOne. */
function twoHundredFields(): { schema: GraphQLSchema; source: string } {
  const fieldNames = Array.from({ length: 50 }, (_, i) => `f${i}`);
  const loadThings = (ids: readonly string[]) => ids.map((id) => Object.fromEntries([["id", id], ...fieldNames.map((f) => [f, `${f} of ${id}`])]));
  const schema = makeSchema({
    typeDefs: `type Query { thing(id: ID!): Thing } type Thing { id: ID! ${fieldNames.map((f) => `${f}: String`).join(" ")} }`,
    functions: { loadThings },
    plans: {
      Query: { thing: (_$root: Step, args) => loadOne(args.get("id"), loadThings) },
      Thing: Object.fromEntries(["id", ...fieldNames].map((f) => [f, ($thing: Step) => $thing.get(f)])),
    },
  });
  const source = `query Things { ${[0, 1, 2, 3].map((t) => `t${t}: thing(id: "t${t}") { ${fieldNames.join(" ")} }`).join(" ")} }`;
  return { schema, source };
}

test("import: the 200-field query's plan runs in a fresh cache without the planner (plansBuilt 0, planning work 0)", async () => {
  const { schema, source } = twoHundredFields();
  const text = exportPlan(schema, parse(source));
  const expected = await execute({ schema, document: parse(source) });
  const fresh = new GraphQLSchema(schema.toConfig()); // same types and plans, an empty plan cache
  assert.ok(importPlan(fresh, parse(source), text));
  const result = await execute({ schema: fresh, document: parse(source) });
  const stats = getPlanCacheStats(fresh);
  assert.is(stats.plansBuilt, 0);
  assert.is(stats.planningWork, 0);
  assert.is(stats.plansImported, 1);
  assert.is(stats.hits, 1);
  assert.equal(JSON.parse(JSON.stringify(result)), JSON.parse(JSON.stringify(expected)));
});

test("export: the 200-field plan text writes step field names once per step kind, output fields against the document, and its body is plain JSON after one header line", () => {
  const { schema, source } = twoHundredFields();
  const text = exportPlan(schema, parse(source));
  const [header, body] = [text.slice(0, text.indexOf("\n")), text.slice(text.indexOf("\n") + 1)];
  assert.is(header.split(" ").length, 5);
  assert.is(header.split(" ")[1], String(PLAN_FORMAT_VERSION));
  const { kinds, root, shapes } = JSON.parse(body) as { kinds: string[]; root: [string, unknown[]]; shapes: string };
  assert.equal(kinds, ["Constant", "Load", "Access"]); // over 200 steps of 3 kinds: step field names written 3 times, not once per step
  assert.is(shapes.split('"dependencyAcceptFlags"').length - 1, kinds.length);
  assert.is(text.split("dependencyAcceptFlags").length - 1, kinds.length);
  // The output plan names field nodes and steps; names, types and response keys come from the document.
  assert.is(text.split('"fieldName"').length - 1, 0);
  assert.is(root[0], "Query");
  assert.is(root[1].length, 4 * 3); // fields as flat triples: field node, flags, value
  const things = root[1] as (number | [string, number, number, number, unknown[]])[];
  for (let i = 0; i < things.length; i += 3) {
    const value = things[i + 2] as [string, number, number, number, unknown[]];
    assert.ok(value[0] === "O" && value[4].length === 50 * 3);
  }
  assert.ok(body.length < 10_000, `${body.length} characters`);
});

test("import: a plan text of another format version is refused with a warning", () => {
  const warnings: string[] = [];
  const { schema, source } = twoHundredFields();
  const text = exportPlan(schema, parse(source)).replace(/^graphscale-plan \d+ /, "graphscale-plan 1 ");
  const other = new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { ...(schema.extensions as { graphscale: object }).graphscale, onPlanWarning: (m: string) => void warnings.push(m) } } });
  assert.is(importPlan(other, parse(source), text), false);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /format 1/);
});

test("export: a plan holding an unregistered closure is not exported, and the error names the step", () => {
  const schema = makeSchema({
    typeDefs: "type Query { twice(n: Int!): Int }",
    plans: { Query: { twice: (_$root: Step, args) => lambda(args.get("n"), (n: number) => n * 2) } },
  });
  assert.throws(() => exportPlan(schema, parse("{ twice(n: 2) }")), (e: Error) => /Lambda\[\d+/.test(e.message) && /not registered/.test(e.message));
});

test("exportBlocker(schema, document): exportPlan's error is its prefix and this text; explain shows the same text; null when exportable", () => {
  const closure = makeSchema({
    typeDefs: "type Query { twice(n: Int!): Int }",
    plans: { Query: { twice: (_$root: Step, args) => lambda(args.get("n"), (n: number) => n * 2) } },
  });
  const document = parse("query Twice($n: Int!) { twice(n: $n) }");
  const blocker = exportBlocker(closure, document, "Twice", { n: 2 });
  assert.ok(blocker !== null);
  assert.match(blocker, /^Lambda\[\d+<fn>\] holds the function \(anonymous\) is not registered \(makeSchema/);
  let message = "";
  try {
    exportPlan(closure, document, "Twice", { n: 2 });
  } catch (error) {
    message = (error as Error).message;
  }
  assert.is(message, `graphscale: this plan cannot be exported: ${blocker}`);
  assert.is(explainPlan(closure, document, "Twice", { n: 2 }).json.exportBlocker?.message, blocker);
  const double = (n: number) => n * 2;
  const named = makeSchema({
    typeDefs: "type Query { twice(n: Int!): Int }",
    functions: { double },
    plans: { Query: { twice: (_$root: Step, args) => lambda(args.get("n"), double) } },
  });
  assert.is(exportBlocker(named, document, "Twice", { n: 2 }), null);
  assert.throws(() => exportBlocker(named, document, "Other"), /Unknown operation named "Other"/);
});

test("export: the same closure registered by name exports and imports", async () => {
  const double = (n: number) => n * 2;
  const schema = makeSchema({
    typeDefs: "type Query { twice(n: Int!): Int }",
    functions: { double },
    plans: { Query: { twice: (_$root: Step, args) => lambda(args.get("n"), double) } },
  });
  const text = exportPlan(schema, parse("{ twice(n: 21) }"));
  const fresh = new GraphQLSchema(schema.toConfig());
  assert.ok(importPlan(fresh, parse("{ twice(n: 21) }"), text));
  assert.equal(JSON.parse(JSON.stringify(await execute({ schema: fresh, document: parse("{ twice(n: 21) }") }))), { data: { twice: 42 } });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
});

test("import: a plan for another operation text is refused with a warning", () => {
  const warnings: string[] = [];
  const { schema, source } = twoHundredFields();
  const text = exportPlan(schema, parse(source));
  const other = new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { ...(schema.extensions as { graphscale: object }).graphscale, onPlanWarning: (m: string) => void warnings.push(m) } } });
  assert.is(importPlan(other, parse(source.replace("t3", "t4")), text), false);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /another operation/);
});

/** The plan text with its body changed by `edit` and the checksum written for the new body (as a forger would). */
/**
 * Sets, in a body's measured shape (depth, widest, fields, then per cost term its factor, variable count
 * and each variable's name and fallback), each term's factor and each variable's fallback.
 */
function setCostTerms(body: Record<string, unknown>, factor: (old: unknown) => unknown, fallback: (old: unknown) => unknown): void {
  const shape = body.shape as unknown[];
  for (let at = 3; at < shape.length; at += 2 + 2 * (shape[at + 1] as number)) {
    shape[at] = factor(shape[at]);
    for (let v = 0; v < (shape[at + 1] as number); v++) shape[at + 3 + 2 * v] = fallback(shape[at + 3 + 2 * v]);
  }
}

function forged(text: string, edit: (body: Record<string, unknown>) => void): string {
  const body = planBody(text);
  edit(body);
  return withBody(text, JSON.stringify(body));
}

for (const [what, message, edit] of [
  [
    "a shape fixing a key at position 1e9",
    /shape \d+ is malformed/,
    (body: Record<string, unknown>) => {
      const shapes = JSON.parse(body.shapes as string) as unknown[][];
      const fixing = shapes.find((shape) => Array.isArray(shape[1]) && (shape[1] as unknown[]).length > 0)!;
      (fixing[1] as number[])[0] = 1e9;
      body.shapes = JSON.stringify(shapes);
    },
  ],
  [
    "a run of steps longer than the stream",
    /runs past the plan's end/,
    (body: Record<string, unknown>) => {
      const steps = body.steps as number[];
      const run = steps.indexOf(-2);
      assert.ok(run > 0, "the 200-field plan writes runs of steps");
      steps[run + 1] = 1e9; // a run that would make a billion steps
    },
  ],
  [
    "a step naming a string the body does not hold",
    /names a string the plan does not hold/,
    (body: Record<string, unknown>) => {
      assert.ok((body.strings as string[]).length > 0, "the 200-field plan writes its read paths as strings");
      body.strings = [];
    },
  ],
  [
    "the root layer's reason holding another field than its kind's",
    /the reason of layer 0 has the fields type, other/,
    (body: Record<string, unknown>) => {
      const shapes = JSON.parse(body.shapes as string) as unknown[][];
      const reason = shapes.find((shape) => JSON.stringify(shape[0]) === '["type","responseKey"]')!;
      (reason[0] as string[])[1] = "other";
      body.shapes = JSON.stringify(shapes);
    },
  ],
  [
    "a layer whose reason type is a key of every object (constructor)",
    /layer 0 is malformed/,
    (body: Record<string, unknown>) => {
      const layers = body.layers as unknown[];
      assert.is(layers[2], "root");
      layers[2] = "constructor";
    },
  ],
  [
    "the root layer's executable steps out of order",
    /the executable steps of layer 0 are not its steps that run/,
    (body: Record<string, unknown>) => {
      // The root layer: parent, shape, type, responseKey, its step list (a count, then ids), its executable steps.
      const layers = body.layers as unknown[];
      const executable = 5 + (layers[4] as number);
      assert.equal(layers.slice(executable, executable + 5), [8, 1, -2, 54, 56]);
      [layers[executable + 3], layers[executable + 4]] = [layers[executable + 4], layers[executable + 3]];
    },
  ],
] as const) {
  test(`import: a body with ${what}, checksum rewritten, is refused with a warning`, () => {
    const warnings: string[] = [];
    const { schema, source } = twoHundredFields();
    const text = forged(exportPlan(schema, parse(source)), edit);
    const other = new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { ...(schema.extensions as { graphscale: object }).graphscale, onPlanWarning: (m: string) => void warnings.push(m) } } });
    assert.is(importPlan(other, parse(source), text), false);
    assert.is(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, message);
    assert.is(getPlanCacheStats(other).plansImported, 0);
  });
}

/** A plan store in memory that counts its reads and writes. */
function countingStore(): { texts: Map<string, string>; counts: { gets: number; sets: number }; store: PlanStore } {
  const texts = new Map<string, string>();
  const counts = { gets: 0, sets: 0 };
  const store: PlanStore = {
    get: (key) => {
      counts.gets++;
      return Promise.resolve(texts.get(key) ?? null);
    },
    set: (key, value) => {
      counts.sets++;
      texts.set(key, value);
    },
  };
  return { texts, counts, store };
}

const greeting = () => "hello";
const secret = () => "s3cret";
/** A fresh schema instance on a store, as another process would have: same types, resolvers and fingerprint. */
function includeSchema(store: PlanStore, warnings: string[]): GraphQLSchema {
  return makeSchema({
    typeDefs: "type Query { greeting: String secret: String }",
    resolvers: { Query: { greeting, secret } },
    planStore: store,
    onPlanWarning: (message) => void warnings.push(message),
  });
}
const includeQuery = "query ($f: Boolean!) { greeting secret @include(if: $f) }";

async function run(schema: GraphQLSchema, f: boolean): Promise<unknown> {
  return JSON.parse(JSON.stringify(await execute({ schema, document: parse(includeQuery), variableValues: { f } })));
}

/** The constraints the one stored plan was made for. */
function storedConstraints(texts: Map<string, string>): unknown {
  assert.is(texts.size, 1);
  const text = [...texts.values()][0]!;
  return planBody<{ constraints: unknown }>(text).constraints;
}

test("plan store: a stored plan made for other @include values is not imported; the request plans and its plan replaces the stored one", async () => {
  const { texts, counts, store } = countingStore();
  const warnings: string[] = [];
  const first = includeSchema(store, warnings);
  assert.equal(await run(first, true), { data: { greeting: "hello", secret: "s3cret" } });
  assert.equal(storedConstraints(texts), [["f", true]]);
  assert.equal(counts, { gets: 1, sets: 1 });

  const second = includeSchema(store, warnings); // another process asks for f=false
  assert.equal(await run(second, false), { data: { greeting: "hello" } });
  assert.equal(await run(second, false), { data: { greeting: "hello" } });
  const stats = getPlanCacheStats(second);
  assert.is(stats.plansImported, 0);
  assert.is(stats.plansBuilt, 1);
  assert.equal(counts, { gets: 2, sets: 2 }); // one read for the second process, then its plan written over f=true's
  assert.equal(storedConstraints(texts), [["f", false]]);

  const third = includeSchema(store, warnings); // a third process with f=false runs the stored plan
  assert.equal(await run(third, false), { data: { greeting: "hello" } });
  assert.is(getPlanCacheStats(third).plansImported, 1);
  assert.is(getPlanCacheStats(third).plansBuilt, 0);
  assert.equal(counts, { gets: 3, sets: 2 });
  assert.equal(warnings, []);
});

test("plan store: makeSchema refuses a store without get and set, or a timeoutMs that is not 0 or more, naming it", () => {
  const cases: Array<[unknown, string]> = [
    [{ get: () => null }, "makeSchema: planStore must be an object with get(key) and set(key, value) functions."],
    [null, "makeSchema: planStore must be an object with get(key) and set(key, value) functions."],
    [{ get: () => null, set: () => undefined, timeoutMs: -1 }, "makeSchema: planStore.timeoutMs must be a finite number of milliseconds, 0 or more; got -1."],
    [{ get: () => null, set: () => undefined, timeoutMs: Number.NaN }, "makeSchema: planStore.timeoutMs must be a finite number of milliseconds, 0 or more; got NaN."],
    [{ get: () => null, set: () => undefined, timeoutMs: "5" }, `makeSchema: planStore.timeoutMs must be a finite number of milliseconds, 0 or more; got "5".`],
  ];
  for (const [planStore, message] of cases) {
    assert.throws(() => makeSchema({ typeDefs: "type Query { a: Int }", planStore: planStore as PlanStore }), (error: Error) => error instanceof TypeError && error.message === message, message);
  }
  makeSchema({ typeDefs: "type Query { a: Int }", planStore: { get: () => null, set: () => undefined, timeoutMs: 0 } });
});

test("plan store: executeToJSON asks the store on a plan-cache miss, as execute does (imported, not planned)", async () => {
  const { counts, store } = countingStore();
  const warnings: string[] = [];
  await run(includeSchema(store, warnings), true);
  const other = includeSchema(store, warnings); // another process answering with text
  const text = await executeToJSON({ schema: other, document: parse(includeQuery), variableValues: { f: true } });
  assert.is(text, JSON.stringify({ data: { greeting: "hello", secret: "s3cret" } }));
  assert.is(getPlanCacheStats(other).plansImported, 1);
  assert.is(getPlanCacheStats(other).plansBuilt, 0);
  assert.equal(counts, { gets: 2, sets: 1 });
  assert.equal(warnings, []);
});

test("plan store: a stored plan's constraints are compared before DecodePlan (a body that would not decode gives no warning)", async () => {
  const { texts, store } = countingStore();
  const warnings: string[] = [];
  await run(includeSchema(store, warnings), true);
  const [key, text] = [...texts][0]!;
  texts.set(key, forged(text, (body) => void (body.steps = [1e9]))); // f=true's constraints, steps that do not decode
  const other = includeSchema(store, warnings);
  assert.equal(await run(other, false), { data: { greeting: "hello" } });
  assert.equal(warnings, []); // never decoded
  assert.is(getPlanCacheStats(other).plansImported, 0);
  assert.equal(storedConstraints(texts), [["f", false]]);
  texts.set(key, forged(text, (body) => void (body.steps = [1e9])));
  await run(includeSchema(store, warnings), true); // the same body for f=true is decoded, and refused
  assert.is(warnings.length, 1, warnings.join("\n"));
});

test("plan store: a constraint naming a variable the operation does not declare is refused with a warning, as importPlan refuses it", async () => {
  for (const name of ["g", "__proto__", "constructor"]) {
    const { texts, store } = countingStore();
    const warnings: string[] = [];
    await run(includeSchema(store, warnings), true);
    const [key, text] = [...texts][0]!;
    texts.set(key, forged(text, (body) => void (body.constraints = [["f", true], [name, true]])));
    const other = includeSchema(store, warnings);
    assert.equal(await run(other, true), { data: { greeting: "hello", secret: "s3cret" } });
    assert.equal([getPlanCacheStats(other).plansImported, getPlanCacheStats(other).plansBuilt], [0, 1], name);
    assert.is(warnings.length, 1, name);
    assert.match(warnings[0]!, `a constraint names $${name}, which the operation does not declare`);
  }
});

test("plan store: a constraint written as a tagged value is checked on the decoded plan", async () => {
  const { texts, counts, store } = countingStore();
  const warnings: string[] = [];
  await run(includeSchema(store, warnings), true);
  const [key, text] = [...texts][0]!;
  texts.set(key, forged(text, (body) => void (body.constraints = [["f", [10]]]))); // f undefined: decided only once decoded
  const other = includeSchema(store, warnings);
  assert.equal(await run(other, true), { data: { greeting: "hello", secret: "s3cret" } });
  assert.is(getPlanCacheStats(other).plansImported, 0);
  assert.is(getPlanCacheStats(other).plansBuilt, 1);
  assert.equal(counts, { gets: 2, sets: 2 });
  assert.equal(storedConstraints(texts), [["f", true]]);
  assert.equal(warnings, []);
});

test("plan store: concurrent first requests with other @include values: the one that waited reads again, plans and stores its own", async () => {
  const { texts, counts, store } = countingStore();
  const warnings: string[] = [];
  const schema = includeSchema(store, warnings);
  const results = await Promise.all([run(schema, true), run(schema, false), run(schema, true)]);
  assert.equal(results, [{ data: { greeting: "hello", secret: "s3cret" } }, { data: { greeting: "hello" } }, { data: { greeting: "hello", secret: "s3cret" } }]);
  assert.is(getPlanCacheStats(schema).plansBuilt, 2);
  assert.is(getPlanCacheStats(schema).plansImported, 0);
  assert.equal(counts, { gets: 2, sets: 2 }); // f=true's read and plan are shared; f=false reads f=true's plan, plans and writes
  assert.equal(storedConstraints(texts), [["f", false]]);
  assert.equal(warnings, []);
});

test("plan store: concurrent first requests whose planning fails share one store read and do not read again", async () => {
  const { counts, store } = countingStore();
  const warnings: string[] = [];
  const schema = includeSchema(store, warnings);
  const request = () => execute({ schema, document: parse(includeQuery), variableValues: { f: true }, limits: { maxFieldsPerSelection: 1 } });
  const results = await Promise.all([request(), request(), request()]);
  for (const result of results) assert.ok(result.errors?.length === 1 && !("data" in result && result.data), JSON.stringify(result));
  assert.equal(counts, { gets: 1, sets: 0 });
  assert.is(getPlanCacheStats(schema).plansBuilt, 0);
  assert.equal(warnings, []);
});

test("plan store: a stored cost formula with a negative or non-finite number is measured again, never taken off the cost", async () => {
  for (const bad of [-1e9, Number.POSITIVE_INFINITY, "3"]) {
    const { texts, store } = countingStore();
    const schemaOn = () =>
      makeSchema({ typeDefs: "type Query { items(first: Int): [Item] } type Item { v: Int }", resolvers: { Query: { items: () => [{ v: 1 }] } }, planStore: store });
    const document = parse("query ($n: Int) { items(first: $n) { v } }");
    const first = schemaOn();
    assert.is((await execute({ schema: first, document, variableValues: { n: 1 } })).errors, undefined);
    const [key, text] = [...texts][0]!;
    // JSON writes Infinity as null: a null factor is refused alike.
    texts.set(key, forged(text, (body) => setCostTerms(body, () => bad, () => bad)));
    const second = schemaOn();
    // $n omitted: 1 + defaultListSize (100) field resolutions, over maxCost 50.
    const result = await execute({ schema: second, document, variableValues: {}, limits: { maxCost: 50 } });
    assert.equal(result.errors?.map((e) => e.message), ["The query's estimated cost is 101 field resolutions; the limit is 50 (maxCost). Ask for smaller pages (first/last)."], String(bad));
    assert.is(getPlanCacheStats(second).plansImported, 1, "the plan is taken, its formula measured again");
  }
});

// What earlier code stored, and what a request counts with the plan it plans again instead:
// format 4 counted an omitted page-size variable as 0; format 5 wrote the planning request's defaultListSize
// (100) into the formula, where format 6 counts each request's own; format 6 left out fields under type
// conditions, meta fields and inner list levels (its formula here is the same as format 8's); format 7's
// Kvetch lists and node loads lacked their item form (idsOnly, slim); format 8 named a fragment's field
// node by `[fragment, position]`; format 9 summed its body with SHA-256.
const EARLIER_FORMATS = [
  { format: 4, fallback: 0, limits: { maxCost: 50 }, refused: true },
  { format: 5, fallback: 100, limits: { maxCost: 50, defaultListSize: 2 }, refused: false },
  { format: 6, fallback: null, limits: { maxCost: 50, defaultListSize: 2 }, refused: false },
  { format: 7, fallback: null, limits: { maxCost: 50, defaultListSize: 2 }, refused: false },
  { format: 8, fallback: null, limits: { maxCost: 50, defaultListSize: 2 }, refused: false },
  { format: 9, fallback: null, limits: { maxCost: 50, defaultListSize: 2 }, refused: false },
] as const;

for (const earlier of EARLIER_FORMATS) {
  test(`plan store: a plan stored under format ${earlier.format} is planned again, and its cost is counted as now`, async () => {
    const { texts, store } = countingStore();
    const warnings: string[] = [];
    const items = () => [{ v: 1 }, { v: 2 }];
    const schemaOn = () =>
      makeSchema({
        typeDefs: "type Query { items(first: Int): [Item] } type Item { v: Int }",
        resolvers: { Query: { items } },
        planStore: store,
        onPlanWarning: (message) => void warnings.push(message),
      });
    const document = parse("query ($n: Int) { items(first: $n) { v } }");
    const request = (schema: GraphQLSchema, limits: Partial<Limits>) => execute({ schema, document, variableValues: {}, limits });
    const first = schemaOn();
    const refused = await request(first, { maxCost: 50 }); // an omitted $n counts as defaultListSize (100): 1 + 100 fields
    assert.equal(refused.errors?.map((e) => e.extensions.code), ["LIMIT_EXCEEDED"]);
    assert.is(texts.size, 1);
    const [key, text] = [...texts][0]!;
    const forgedText = forged(text, (body) => setCostTerms(body, (factor) => factor, () => earlier.fallback)).replace(/^graphscale-plan \d+ /, `graphscale-plan ${earlier.format} `);
    texts.set(key, forgedText);
    const second = schemaOn();
    const result = await request(second, earlier.limits);
    if (earlier.refused) assert.equal(result.errors?.map((e) => e.extensions.code), ["LIMIT_EXCEEDED"]);
    else assert.equal(result, { data: { items: [{ v: 1 }, { v: 2 }] } }, "1 + 2 field resolutions under defaultListSize 2");
    assert.is(getPlanCacheStats(second).plansImported, 0);
    assert.is(getPlanCacheStats(second).plansBuilt, 1);
    assert.is(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, `format ${earlier.format}, this version reads 10`);
    assert.is(PLAN_FORMAT_VERSION, 10);
  });
}


test("import: a run of like steps has its later steps checked by what they write (FollowerChecks: 196 of the 200 field reads)", () => {
  const { schema, source } = twoHundredFields();
  const text = exportPlan(schema, parse(source));
  const before = checkStats.followers;
  assert.ok(importPlan(new GraphQLSchema(schema.toConfig()), parse(source), text));
  // 4 aliases × 50 field reads, each alias's reads one header and a run of 49; and the constant after the first.
  assert.is(checkStats.followers - before, 4 * 49 + 1, "each run's steps after its first");
});

test("import: a forged run whose later step writes a path that is no path is refused (FollowerChecks)", () => {
  const warnings: string[] = [];
  const { schema, source } = twoHundredFields();
  let follower = -1;
  const text = forged(exportPlan(schema, parse(source)), (body) => {
    // The field reads' shape writes `path` by its string's index. Forged to write it as a value: every field
    // read a good path ([0, "f1"]: a plain array) but one later step of a run, left a bare number, no path.
    const shapes = JSON.parse(body.shapes as string) as unknown[][];
    const steps = body.steps as unknown[];
    const strings = body.strings as string[];
    const shapeId = shapes.findIndex((shape) => (shape[0] as string[]).includes("path"));
    (shapes[shapeId] as unknown[])[3] = [];
    body.shapes = JSON.stringify(shapes);
    const written = shapes.map((shape) => (shape[0] as unknown[]).length - ((shape[1] as unknown[] | undefined)?.length ?? 0));
    let id = 0;
    let shape = -1;
    const rewrite = (at: number, inRun: boolean): void => {
      if (shape !== shapeId) return;
      if (inRun && follower < 0) follower = id;
      else steps[at] = [0, strings[steps[at] as number]];
    };
    for (let at = 0; at < steps.length; ) {
      if (steps[at] === -1) {
        at++, id++;
      } else if (steps[at] === -2) {
        const n = steps[at + 1] as number;
        at += 2;
        for (let r = 0; r < n; r++, id++, at += written[shape]!) if (written[shape] === 1) rewrite(at, true);
      } else {
        const deps = steps[at + 2] as number;
        shape = steps[at + 3 + deps] as number;
        at += 4 + deps;
        if (written[shape] === 1) rewrite(at, false);
        at += written[shape]!;
        id++;
      }
    }
  });
  assert.ok(follower > 0, "a later step of a run was left with a bare number");
  const other = new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { ...(schema.extensions as { graphscale: object }).graphscale, onPlanWarning: (m: string) => void warnings.push(m) } } });
  const before = checkStats.followers;
  assert.is(importPlan(other, parse(source), text), false);
  assert.is(warnings.length, 1, warnings.join("\n"));
  // Its inline read (the path it writes) is the first thing found out of place.
  assert.match(warnings[0]!, `inconsistent: Access[${follower}] is read inline but is not a plain property read`, warnings[0]);
  assert.ok(checkStats.followers > before, "the step was checked as a run's later step");
});

test.run();
