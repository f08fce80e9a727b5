// Walked lists (spec/output.md, "Walked lists"): list layers below which the plan holds only items and property
// reads are left unopened by the executor, and the compiled output walks the arrays in the data. Each case
// runs the query once to compile its output, then checks how the next run went (left unopened and walked,
// opened after all, or opened as usual) and that its result is graphql-js's and the interpretive output's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse, type DocumentNode, type ExecutionResult, type GraphQLObjectType } from "graphql";
import { execute, executeToJSON, makeSchema, type Limits } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { prepareRequest } from "../../src/engine/request/prepareRequest.js";
import { executeKeepingRoot } from "../../src/engine/live/executeSubtree.js";

const typeDefs = `
  type Query { teams: [Team!]! others: [Other!]! }
  type Team { id: ID! name: String! members: [Member!]! lead: Member grid: [[Skill!]] tags: [String!] }
  type Member { id: ID! name: String! skills: [Skill!]! }
  type Skill { name: String! level: Int! }
  type Other { x: Int }
`;

/** The data the next request reads (made afresh per run: a generator can be read once). */
let teams: unknown = null;
let others: unknown = [];

const schema = makeSchema({ typeDefs, plans: { Query: { teams: () => lambda([], () => teams), others: () => lambda([], () => others) } } });
const resolverSchema = buildSchema(typeDefs);
(resolverSchema.getType("Query") as GraphQLObjectType).getFields().teams!.resolve = () => teams;
(resolverSchema.getType("Query") as GraphQLObjectType).getFields().others!.resolve = () => others;

const skill = (s: number) => ({ name: `skill ${s}`, level: s });
const member = (t: number, m: number) => ({ id: `t${t}m${m}`, name: `Member ${t}.${m}`, skills: [skill(m), skill(m + 1)] });
const team = (t: number) => ({ id: `t${t}`, name: `Team ${t}`, members: [member(t, 0), member(t, 1)], lead: member(t, 9), grid: [[skill(1)], [skill(2), skill(3)]], tags: ["a"] });
const cleanTeams = () => [team(0), team(1), team(2)];

const QUERY = `{ teams { id name members { id name skills { name level } } lead { name skills { level } } grid { name } tags } }`;
const documents = new Map<string, DocumentNode>();
const documentOf = (query: string) => documents.get(query) ?? documents.set(query, parse(query)).get(query)!;

interface Outcome {
  /** How the run after the compiling one went: some layer "left" unopened and walked, "opening" (opened after all), or undefined. */
  readonly how: string | undefined;
  /** Whether the teams layer itself was left unopened (and still is: the compiled output walked it). */
  readonly teamsWalked: boolean;
  readonly result: ExecutionResult;
  readonly interpreted: ExecutionResult;
  readonly reference: ExecutionResult;
}

async function run(make: () => unknown, query = QUERY, limits?: Partial<Limits>, makeOthers: () => unknown = () => []): Promise<Outcome> {
  const document = documentOf(query);
  const set = (): void => void ((teams = make()), (others = makeOthers()));
  // The second response compiles the output (CompiledOutputOf; it marks the layers it can walk): give
  // both clean data.
  teams = cleanTeams();
  others = [];
  await execute({ schema, document, limits });
  await execute({ schema, document, limits });
  set();
  const prepared = prepareRequest({ schema, document, limits });
  if (!("request" in prepared)) throw new Error("no request");
  const kept = executeKeepingRoot(prepared.request);
  await kept.result;
  const how = prepared.request.walkedLists;
  const teamsWalked = [...kept.root.children.values()].some((b) => b.layer.reason.responseKey === "teams" && b.walkedEntries >= 0);
  set();
  const result = (await execute({ schema, document, limits })) as ExecutionResult;
  set();
  // executeToJSON walks the same layers with its JSON writer: the same text as the result's.
  assert.is(await executeToJSON({ schema, document, limits }), JSON.stringify(result), "executeToJSON");
  set();
  const interpreted = (await execute({ schema, document, limits, compileOutput: false })) as ExecutionResult;
  set();
  const reference = (await graphqlExecute({ schema: resolverSchema, document })) as ExecutionResult;
  return { how, teamsWalked, result, interpreted, reference };
}

const json = (value: unknown) => JSON.stringify(value);

function sameAsGraphqlJs(outcome: Outcome): void {
  assert.is(json(outcome.result), json(outcome.reference), "graphql-js");
  assert.is(json(outcome.interpreted), json(outcome.reference), "interpretive output");
}

test("walked lists: nested arrays in the data are walked by the compiled output, as graphql-js reads them", async () => {
  const outcome = await run(cleanTeams);
  assert.is(outcome.how, "left");
  assert.ok(outcome.teamsWalked, "the teams layer was left unopened and walked");
  assert.is(outcome.result.errors, undefined);
  assert.is(Object.getPrototypeOf(outcome.result.data), Object.prototype, "built by the compiled output");
  sameAsGraphqlJs(outcome);
});

test("walked lists: a null at a non-null position deep in the arrays gives up; the layers are opened and the errors are graphql-js's", async () => {
  const nullable = await run(() => {
    const data = cleanTeams();
    (data[1]!.lead.skills as unknown[])[0] = null;
    data[0]!.lead = null as never;
    (data[2]!.grid as unknown[])[1] = [skill(4), null];
    return data;
  });
  assert.is(nullable.how, "opening");
  assert.is(nullable.result.errors!.length, 2);
  sameAsGraphqlJs(nullable);
  const nonNull = await run(() => {
    const data = cleanTeams();
    (data[2]!.members as unknown[])[0] = null;
    return data;
  });
  assert.is(nonNull.how, "opening");
  assert.is(nonNull.result.data, null);
  sameAsGraphqlJs(nonNull);
});

test("walked lists: values that are not lists — a string is counted as no entries and given up on, an object is never walked", async () => {
  const asString = await run(() => {
    const data = cleanTeams();
    (data[0] as Record<string, unknown>).members = "not a list";
    return data;
  });
  assert.is(asString.how, "opening");
  assert.match(asString.result.errors![0]!.message, /Expected Iterable/);
  sameAsGraphqlJs(asString);
  const asObject = await run(() => {
    const data = cleanTeams();
    (data[1] as Record<string, unknown>).grid = [{ name: "x" }];
    (data[2] as Record<string, unknown>).members = { length: 1 };
    return data;
  });
  assert.not.ok(asObject.teamsWalked, "a non-array object below: the layer is opened as usual");
  sameAsGraphqlJs(asObject);
});

test("walked lists: iterables that are not arrays are read once by the executor, never walked", async () => {
  const outcome = await run(() => {
    const data = cleanTeams();
    (data[0] as Record<string, unknown>).members = new Set(data[0]!.members);
    (data[1]!.members[0] as Record<string, unknown>).skills = (function* () {
      yield skill(7);
    })();
    return data;
  });
  assert.not.ok(outcome.teamsWalked);
  sameAsGraphqlJs(outcome);
});

test("walked lists: promises in the data are awaited as the executor awaits them", async () => {
  const above = await run(() => {
    const data = cleanTeams();
    (data[0]!.members as unknown[])[1] = Promise.resolve(member(0, 1));
    return data;
  });
  assert.not.ok(above.teamsWalked, "a promise where the count reads: never left unopened");
  sameAsGraphqlJs(above);
  // A promise as a property the plan reads: awaited where the executor awaits it, as without walking.
  const lead = await run(() => {
    const data = cleanTeams();
    data[1]!.lead = Promise.resolve(member(1, 9)) as never;
    return data;
  });
  assert.not.ok(lead.teamsWalked);
  assert.is(json(lead.result), json(lead.interpreted));
  const last = await run(() => {
    const data = cleanTeams();
    (data[2]!.members[0]!.skills as unknown[])[1] = Promise.resolve(skill(5));
    return data;
  });
  assert.is(last.how, "opening", "a promise among the last items: the walk gives up, the layers are opened");
  sameAsGraphqlJs(last);
});

test("walked lists: an entry elsewhere that was a promise sends the response to the interpretive output, which opens the layers", async () => {
  const query = `{ teams { id members { name } } others { x } }`;
  const outcome = await run(cleanTeams, query, undefined, () => [{ x: 1 }, Promise.resolve({ x: 2 })]);
  assert.is(outcome.how, "opening");
  assert.is(Object.getPrototypeOf(outcome.result.data), null, "interpretive output");
  sameAsGraphqlJs(outcome);
});

test("walked lists: the entries are counted against maxResponseEntries as opening the layers counts them", async () => {
  const query = `{ teams { members { skills { level } } } }`;
  // 3 teams + 6 members + 12 skills: 21 entries.
  const fits = await run(cleanTeams, query, { maxResponseEntries: 21 });
  assert.ok(fits.teamsWalked);
  assert.is(fits.result.errors, undefined);
  assert.is(json(fits.result), json(fits.interpreted));
  const over = await run(cleanTeams, query, { maxResponseEntries: 20 });
  assert.not.ok(over.teamsWalked, "over the limit: opened as usual, and refused there");
  assert.match(over.result.errors![0]!.message, /maxResponseEntries/);
  assert.is(json(over.result), json(over.interpreted));
});

test("walked lists: a getter that throws while counting leaves the layer to the executor (the step's error)", async () => {
  const outcome = await run(() => {
    const data = cleanTeams();
    Object.defineProperty(data[1], "members", {
      get() {
        throw new Error("no members");
      },
    });
    return data;
  });
  assert.not.ok(outcome.teamsWalked);
  assert.is(json(outcome.result), json(outcome.interpreted));
  assert.match(outcome.result.errors![0]!.message, /no members/);
});

test("walked lists: an Error value in a planned list is an object to the walk as to the executor (not graphql-js's error)", async () => {
  const outcome = await run(() => {
    const data = cleanTeams();
    (data[0]!.members as unknown[])[0] = Object.assign(new Error("boom"), { id: "e", name: "E", skills: [] });
    return data;
  });
  assert.ok(outcome.teamsWalked);
  assert.is(json(outcome.result), json(outcome.interpreted));
  assert.is((outcome.result.data as { teams: Array<{ members: Array<{ name: string }> }> }).teams[0]!.members[0]!.name, "E");
});

test("walked lists: compileOutput false never leaves a layer unopened; executeToJSON walks with its JSON writer", async () => {
  const document = documentOf(QUERY);
  teams = cleanTeams();
  await execute({ schema, document });
  await executeToJSON({ schema, document });
  for (const jsonText of [false, true]) {
    const prepared = prepareRequest({ schema, document, compileOutput: jsonText });
    if (!("request" in prepared)) throw new Error("no request");
    // As executeToJSON makes its request.
    const request = { ...prepared.request, jsonText };
    const kept = executeKeepingRoot(request);
    const result = await kept.result;
    assert.is(request.walkedLists, jsonText ? "left" : undefined, jsonText ? "executeToJSON" : "compileOutput: false");
    // The compiled JSON output's `data` is its text (a RawJSON).
    if (jsonText) assert.is((result.data as unknown as { text: string }).text, JSON.stringify((await execute({ schema, document })).data));
  }
});

test("every request has the same fields from the start, however it runs (one object shape for the executor)", () => {
  const document = parse(`{ teams { name } }`);
  const shapeOf = (how: Parameters<typeof prepareRequest>[1]) => {
    const prepared = prepareRequest({ schema, document }, how);
    if (!("request" in prepared)) throw new Error("no request");
    return Object.keys(prepared.request);
  };
  const plain = shapeOf(undefined);
  for (const field of ["callStep", "jsonText", "promisedEntries", "walkedLists"]) assert.ok(plain.includes(field), field);
  assert.equal(shapeOf({ jsonText: true }), plain);
  assert.equal(shapeOf({ callStep: (_request, step, details) => step.execute(details) }), plain);
  const batched = prepareRequest({ schema, document }, { callStep: (_request, step, details) => step.execute(details) });
  assert.ok("request" in batched && typeof batched.request.callStep === "function");
});

test.run();
