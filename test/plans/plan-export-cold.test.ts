// What a plan import costs once per schema and per document (spec/plan-export.md, PrepareSchemaForImport,
// TierUp, SchemaText, DocumentText): the schema fingerprint is computed once per schema, when makeSchema
// makes a schema with a plan store (with the output plan's type tables), else by its first export or import,
// and no export or import computes it again; a first import makes no generated setter (a layout's
// setter comes with its second import); the operation hash reads what the document holds
// (layout apart), never its source text; the schema text changes with anything a plan reads (a field, an
// argument's default, a type's interfaces).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, visit } from "graphql";
import { Step, execute, executeSync, exportPlan, getPlanCacheStats, importPlan, makeSchema, registerStepClass, type ExecutionDetails } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { fingerprintStats, schemaFingerprint, schemaText } from "../../src/engine/planExport/fingerprint.js";
import { generatedStats } from "../../src/engine/planExport/fillers.js";
import { RUN_SETTER_AT, shapeTableOf } from "../../src/engine/planExport/shapes.js";
import { warmUpOutcome } from "../../src/engine/makeSchema.js";
import { documentText } from "../../src/engine/planExport/documentText.js";
import { outputTableStats } from "../../src/engine/planExport/outputJson.js";
import { operationHash } from "../../src/engine/planExport/store.js";
import { planBody } from "./planText.js";
import { WARM_UP_LOADS_FUNCTIONS, WARM_UP_LOADS_OPERATION, WARM_UP_LOADS_TYPE_DEFS, WARM_UP_TEXT_SOURCE, warmUpDocumentText, warmUpLoadsText } from "../../src/engine/planExport/warmUpPlan.js";

const double = (n: number) => n * 2;
const schemaOf = (typeDefs: string) =>
  makeSchema({ typeDefs, functions: { double }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
/** The same schema with a plan store (one that holds nothing): makeSchema prepares it for imports. */
const storedSchemaOf = (typeDefs: string) =>
  makeSchema({ typeDefs, functions: { double }, planStore: { get: () => null, set: () => undefined }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
const typeDefs = "type Query { n(x: Int = 1): Int a: A } interface I { id: ID } type A implements I { id: ID name: String }";

test("warm-up: the process's first makeSchema plans, runs, exports and imports its own plan (five times), all of it", () => {
  schemaOf(typeDefs);
  // Planned and run; imported and run; imported again (the generated setters, TierUp). A warm-up that stopped
  // short would leave the first request's code cold without anyone seeing it.
  const on = process.env.GRAPHSCALE_WARM_UP !== "off";
  // And the plan of loads and lists of lists (WarmUpLoads), imported, run, run once more as a first response
  // runs (the fourth execution) and imported again: its body is of the current format.
  assert.equal(warmUpOutcome, on ? { executed: 3 + 1, imported: 5, loads: 1, failed: null } : { executed: 0, imported: 0, loads: 0, failed: null });
});

test("warm-up: WarmUpLoads imports its plan twice, so a first real import of its layouts makes no setter and uses theirs", () => {
  // The warm-up's own plan of loads, imported into a schema of the application's: the same shape list.
  const schema = makeSchema({ typeDefs: WARM_UP_LOADS_TYPE_DEFS, functions: WARM_UP_LOADS_FUNCTIONS, importsPlans: true });
  const document = parse(WARM_UP_LOADS_OPERATION);
  const text = warmUpLoadsText(schema, document);
  const before = generatedStats.fillers;
  assert.ok(importPlan(schema, document, text));
  const body = planBody<{ shapes: string; shapesKey: string }>(text);
  const plans = shapeTableOf(body.shapes, body.shapesKey, true).shapePlans.filter((p) => p !== undefined);
  if (process.env.GRAPHSCALE_WARM_UP === "off") return;
  assert.is(generatedStats.fillers - before, 0, "no setter made in the first real import");
  assert.ok(plans.length >= 4 && plans.every((p) => p!.fill !== null), "every shape of the plan filled by a setter the warm-up made");
});

test("plan export: the schema fingerprint is computed once per schema, by makeSchema when it has a plan store; exports and imports compute none", () => {
  schemaOf(typeDefs); // the process's first schema also makes the engine's warm-up schemas
  const before = fingerprintStats.computed;
  const schema = storedSchemaOf(typeDefs);
  assert.is(fingerprintStats.computed - before, 1, "makeSchema computes it");
  for (const source of ["{ n }", "{ n(x: 3) }", "query Q { n a { id name } }", "{ a { id } }"]) {
    const document = parse(source);
    assert.ok(importPlan(schema, document, exportPlan(schema, document)), source);
  }
  assert.is(fingerprintStats.computed - before, 1);
  assert.is(schemaFingerprint(storedSchemaOf(typeDefs)), schemaFingerprint(schema), "the same code, the same fingerprint");
  assert.is(fingerprintStats.computed - before, 2);
});

test("plan export: a schema without a plan store costs makeSchema no fingerprint; its first export computes it, once", () => {
  const before = fingerprintStats.computed;
  const schema = schemaOf(typeDefs);
  assert.is(fingerprintStats.computed - before, 0, "makeSchema computes none");
  const document = parse("query Q { n a { id name } }");
  const text = exportPlan(schema, document);
  assert.is(fingerprintStats.computed - before, 1, "the first export does");
  assert.ok(importPlan(schema, document, text));
  assert.ok(importPlan(schemaOf(typeDefs), document, text), "another schema of the same code reads it");
  assert.is(fingerprintStats.computed - before, 2, "once per schema");
});

test("plan import: with a plan store, makeSchema makes the output plan's type tables; an import then makes none", () => {
  const typeDefs = "type Query { n(x: Int = 1): Int b: B } type B { id: ID tableProbe: String c: [B!] }";
  const document = parse("{ n b { id tableProbe c { id } } }");
  const made = outputTableStats.fieldsMade;
  const stored = storedSchemaOf(typeDefs);
  assert.ok(outputTableStats.fieldsMade - made >= 5, "makeSchema made them (Query's 2 fields, B's 3)");
  const text = exportPlan(stored, document);
  const before = outputTableStats.fieldsMade;
  assert.ok(importPlan(stored, document, text));
  assert.is(outputTableStats.fieldsMade - before, 0, "the import found every field's entry made");
  const plain = schemaOf(typeDefs);
  const beforePlain = outputTableStats.fieldsMade;
  assert.ok(importPlan(plain, document, exportPlan(plain, document)));
  assert.ok(outputTableStats.fieldsMade - beforePlain >= 4, "without a plan store, the first import makes them");
});

test("plan import: makeSchema({ importsPlans: true }) prepares the schema as a plan store does: fingerprint and type tables made once, none by the import", () => {
  const typeDefs = "type Query { n(x: Int = 1): Int d: D } type D { id: ID importsProbe: String }";
  const document = parse("{ n d { id importsProbe } }");
  const text = exportPlan(schemaOf(typeDefs), document);
  const computed = fingerprintStats.computed;
  const made = outputTableStats.fieldsMade;
  const schema = makeSchema({ typeDefs, importsPlans: true, functions: { double }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
  assert.is(fingerprintStats.computed - computed, 1, "makeSchema computes the fingerprint");
  assert.ok(outputTableStats.fieldsMade - made >= 4, "and the output plan's type tables");
  const before = { fingerprints: fingerprintStats.computed, fields: outputTableStats.fieldsMade };
  assert.ok(importPlan(schema, document, text));
  assert.equal({ fingerprints: fingerprintStats.computed, fields: outputTableStats.fieldsMade }, before, "the import computes and makes none");
  assert.throws(() => makeSchema({ typeDefs, importsPlans: "yes" as unknown as boolean }), /importsPlans must be a boolean/);
});

test("plan store: a store that answers at once (a synchronous get) is read within the request's own turn: executeSync runs the stored plan", () => {
  const typeDefs = "type Query { n(x: Int = 1): Int }";
  const document = parse("{ n(x: 21) }");
  const text = exportPlan(schemaOf(typeDefs), document);
  const written: string[] = [];
  const planStore = { get: () => text, set: (_key: string, value: string) => void written.push(value) };
  const schema = makeSchema({ typeDefs, planStore, functions: { double }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
  assert.equal(executeSync({ schema, document }), { data: { n: 42 } });
  assert.equal({ built: getPlanCacheStats(schema).plansBuilt, imported: getPlanCacheStats(schema).plansImported, written: written.length }, { built: 0, imported: 1, written: 0 });
  // One that holds nothing: planned in the request's turn as well, and written back.
  const empty = makeSchema({ typeDefs, planStore: { get: () => null, set: planStore.set }, functions: { double }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
  assert.equal(executeSync({ schema: empty, document }), { data: { n: 42 } });
  assert.equal({ built: getPlanCacheStats(empty).plansBuilt, written: written.length }, { built: 1, written: 1 });
});

/**
 * A step class no other test writes, adding `offset` to its dependency: its one own field, named `key`, gives
 * it a key layout new to the process (each test below makes its own).
 */
function offsetProbe(stepName: string, key: string): new ($n: Step, offset: number) => Step<number> {
  class OffsetProbeStep extends Step<number> {
    static override readonly stepName = stepName;
    constructor($n: Step, offset: number) {
      super();
      (this as unknown as Record<string, number>)[key] = offset;
      this.addDependency($n);
    }
    execute({ count, values: [ns] }: ExecutionDetails<[readonly number[]]>): number[] {
      const offset = (this as unknown as Record<string, number>)[key]!;
      const out = new Array<number>(count);
      for (let i = 0; i < count; i++) out[i] = ns[i]! + offset;
      return out;
    }
  }
  registerStepClass(OffsetProbeStep);
  return OffsetProbeStep;
}

const TierUpProbeStep = offsetProbe("TierUpProbe", "tierUpProbeOffset");

test("plan import: a first import makes no generated code (no setter, no constructor: StepObject); a layout's setter comes with its second import, once", async () => {
  const config = {
    typeDefs: "type Query { a(x: Int!): Int b(x: Int!): Int }",
    plans: { Query: { a: (_$root: Step, args: { get(name: string): Step }) => new TierUpProbeStep(args.get("x"), 1), b: (_$root: Step, args: { get(name: string): Step }) => new TierUpProbeStep(args.get("x"), 2) } },
  };
  const document = parse("{ a(x: 1) b(x: 40) }");
  const text = exportPlan(makeSchema(config), document);
  const fillers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const schema = makeSchema(config);
    const before = { ...generatedStats };
    assert.ok(importPlan(schema, document, text));
    fillers.push(generatedStats.fillers - before.fillers);
    assert.equal(await execute({ schema, document }), { data: { a: 2, b: 42 } });
    assert.is(getPlanCacheStats(schema).plansBuilt, 0, "imported, never planned");
  }
  // The probe steps' layout is new: its setter comes with the second import (and the layer reasons' setters,
  // unless the warm-up made those already); the third import makes nothing. Steps are made from their
  // class's prototype (StepObject): no constructor is generated for them.
  assert.is(fillers[0], 0, "the first import makes no setter");
  assert.ok(fillers[1]! >= 1, `the second import makes the probe's setter (made ${fillers[1]})`);
  assert.is(fillers[2], 0, "the third makes none");
  assert.not.ok("makers" in generatedStats, "no generated step constructors");
  if (process.env.GRAPHSCALE_WARM_UP !== "off") assert.is(fillers[1], 1);
});

/** Its layout's setter is made by one plan's imports and used by another plan's first import. */
const LayoutProbeStep = offsetProbe("LayoutProbe", "layoutProbeOffset");

test("plan import: a shape's first import fills its objects with the setter its layout already has (TierUp), making none", async () => {
  const probe = (offset: number) => (_$root: Step, args: { get(name: string): Step }) => new LayoutProbeStep(args.get("x"), offset);
  const three = (): number[] => [1, 2, 3];
  const config = {
    typeDefs: "type Query { a(x: Int!): Int b(x: Int!): Int c: [Int!]! }",
    functions: { three },
    plans: { Query: { a: probe(2), b: probe(3), c: () => lambda([], three) } },
  };
  // Plan A: two probe steps; plan B: the same two and a list, so another shape list with the probe's layout.
  const [a, b] = [parse("{ a(x: 1) b(x: 2) }"), parse("{ a(x: 1) b(x: 2) c }")];
  const bodyOf = (text: string) => planBody<{ shapes: string; shapesKey: string }>(text);
  const textA = exportPlan(makeSchema(config), a);
  const textB = exportPlan(makeSchema(config), b);
  assert.is.not(bodyOf(textA).shapesKey, bodyOf(textB).shapesKey, "two shape lists");
  const probeFill = (text: string) => {
    const { shapes, shapesKey } = bodyOf(text);
    const plans = shapeTableOf(shapes, shapesKey, true).shapePlans;
    const plan = plans.find((p) => p?.keys.includes("layoutProbeOffset"));
    assert.ok(plan, "the probe's shape was decoded");
    return plan!.fill;
  };
  // A's second import makes the probe layout's setter.
  for (let i = 0; i < 2; i++) assert.ok(importPlan(makeSchema(config), a, textA));
  assert.ok(probeFill(textA) !== null, "A's second import made the setter");
  // B's first import: its probe shape takes that setter, and no setter is made.
  const before = generatedStats.fillers;
  const schema = makeSchema(config);
  assert.ok(importPlan(schema, b, textB));
  assert.is(generatedStats.fillers, before, "the first import makes no setter");
  assert.is(probeFill(textB), probeFill(textA), "B's first import uses the setter A's imports made");
  assert.equal(await execute({ schema, document: b }), { data: { a: 3, b: 5, c: [1, 2, 3] } });
});

/** A step class no other test writes, read by many fields of one object: a long run of like steps. */
class RunProbeStep extends Step<number> {
  static override readonly stepName = "RunProbe";
  static {
    registerStepClass(this);
  }
  readonly runProbeOffset: number;
  constructor($parent: Step) {
    super();
    this.runProbeOffset = 7;
    this.addDependency($parent);
  }
  execute({ count }: ExecutionDetails): number[] {
    return new Array<number>(count).fill(this.runProbeOffset);
  }
}

test("plan import: a run of RUN_SETTER_AT or more like steps gets its shape's setter on its first import; a shorter run waits for the second", async () => {
  const runOf = (n: number, layout: string) => {
    const fields = Array.from({ length: n }, (_, i) => `${layout}${i}`);
    const config = {
      typeDefs: `type Query { ${fields.map((f) => `${f}: Int`).join(" ")} }`,
      plans: { Query: Object.fromEntries(fields.map((f) => [f, ($root: Step) => new RunProbeStep($root)])) },
    };
    return { config, document: parse(`{ ${fields.join(" ")} }`) };
  };
  // Two runs of one kind: 15 steps (below the bound), then 16; the setter is made once, with the long run.
  const made: number[] = [];
  for (const n of [RUN_SETTER_AT - 1, RUN_SETTER_AT]) {
    const { config, document } = runOf(n, "r");
    const text = exportPlan(makeSchema(config), document);
    const schema = makeSchema(config);
    const before = generatedStats.fillers;
    assert.ok(importPlan(schema, document, text));
    made.push(generatedStats.fillers - before);
    const { data } = (await execute({ schema, document })) as { data: Record<string, number> };
    assert.equal(Object.values(data), new Array(n).fill(7));
  }
  assert.equal(made, [0, 1]);
});

test("plan export: the schema text changes with a field, an argument's default and a type's interfaces", () => {
  const base = schemaText(schemaOf(typeDefs));
  assert.is(schemaText(schemaOf(typeDefs)), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("x: Int = 1", "x: Int = 2"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("name: String }", "name: String other: Int }"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("type A implements I {", "type A {"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("name: String", "name: String!"))), base);
  // Descriptions are not read by any plan: the same text.
  assert.is(schemaText(schemaOf(`"""The root""" ${typeDefs}`)), base);
});

test("plan export: the operation hash reads the document, not its layout or source text", () => {
  const a = parse("query Q($v: Int = 2) { n(x: $v) a { ...F } } fragment F on A { id name }");
  const b = parse("query Q( $v : Int = 2 )\n{\n  n( x : $v )\n  a { ... F }\n}\n\nfragment F on A { id, name }");
  const op = (d: ReturnType<typeof parse>) => d.definitions[0] as never;
  assert.is(operationHash(b, op(b)), operationHash(a, op(a)));
  assert.is(documentText(a), "query Q($v:Int=2){n(x:$v) a{...F}}\nfragment F on A{id name}\n");
  // What differs in value differs in hash: a string "1" and an int 1, an alias, a directive, a default.
  const hashOf = (source: string) => {
    const d = parse(source);
    return operationHash(d, op(d));
  };
  const variants = ['{ n(x: "1") }', "{ n(x: 1) }", "{ m: n(x: 1) }", "{ n(x: 1) @skip(if: false) }", "query ($v: Int = 1) { n(x: $v) }", "query ($v: Int = 3) { n(x: $v) }", "{ a { ... on A { id } } }", "{ a { ... on I { id } } }"];
  assert.is(new Set(variants.map(hashOf)).size, variants.length);
  // A document transformed after parsing keeps its original's source text; its hash is of what it holds.
  const transformed = visit(a, { Field: (node) => (node.name.value === "name" ? null : undefined) });
  assert.is(transformed.loc?.source.body, a.loc?.source.body);
  assert.is.not(operationHash(transformed, op(transformed)), operationHash(a, op(a)));
});


test("warm-up: the document whose text warms DocumentText, built as nodes, has the text of its source parsed", () => {
  assert.is(warmUpDocumentText(), documentText(parse(WARM_UP_TEXT_SOURCE)));
});

test.run();
