import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { assertNotNull, each, exitIf, inhibitOnNull, loadMany, loadOne, trap } from "../../steps/index.js";

// Users may have a manager (or not); a manager's reports are loaded by id. Every callback counts its keys.
const people: Record<string, { id: string; name: string; managerId: string | null; banned?: boolean }> = {
  p1: { id: "p1", name: "Ann", managerId: null },
  p2: { id: "p2", name: "Bob", managerId: "p1" },
  p3: { id: "p3", name: "Cy", managerId: "p1", banned: true },
  p4: { id: "p4", name: "Di", managerId: "gone" },
};
const seenKeys: string[][] = [];
const calls = { people: 0, reports: 0 };
const getPeople = (ids: readonly string[]) => {
  calls.people++;
  seenKeys.push([...ids]);
  return ids.map((id) => people[id] ?? null);
};
const getReports = (ids: readonly string[]) => {
  calls.reports++;
  seenKeys.push([...ids]);
  return ids.map((id) => Object.values(people).filter((p) => p.managerId === id).map((p) => p.id));
};

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { people(ids: [ID!]!): [Person]! }
    type Person {
      name: String
      manager: Person
      managerOrError: Person
      reports: [Person!]
      reportsOrEmpty: [Person!]!
      visibleName: String
      trappedReports: [Person!]!
    }
  `,
  plans: {
    Query: { people: (_$r, args) => each(args.get("ids"), ($id) => loadOne($id, getPeople)) },
    Person: {
      // inhibitOnNull: people without a manager never reach getPeople.
      manager: ($p) => loadOne(inhibitOnNull($p.get("managerId")), getPeople),
      // assertNotNull: a missing manager id is an error at the field's path, and skips the load.
      managerOrError: ($p) => loadOne(assertNotNull($p.get("managerId"), "This person has no manager."), getPeople),
      // exitIf with "null": banned people's reports are never loaded and the field is null.
      reports: ($p) => each(loadMany(exitIf($p, (p: { banned?: boolean }) => p.banned === true, "null").get("id"), getReports), ($id) => loadOne($id, getPeople)),
      // exitIf with "emptyList": the list field answers [].
      reportsOrEmpty: ($p) =>
        each(loadMany(exitIf($p, (p: { banned?: boolean }) => p.banned === true, "emptyList").get("id"), getReports), ($id) => loadOne($id, getPeople)),
      // exitIf with an error.
      visibleName: ($p) => exitIf($p, (p: { banned?: boolean }) => p.banned === true, new Error("This person is banned.")).get("name"),
      // trap: the inhibited entries become [] again.
      trappedReports: ($p) =>
        each(trap(loadMany(inhibitOnNull($p.get("managerId")), getReports), { inhibited: "emptyList" }), ($id) => loadOne($id, getPeople)),
    },
  },
});

async function run(query: string) {
  calls.people = calls.reports = 0;
  seenKeys.length = 0;
  return JSON.parse(JSON.stringify(await execute({ schema, document: parse(query) })));
}

test("inhibitOnNull: the data source is not called for exited entries, and the field is null", async () => {
  const result = await run(`{ people(ids: ["p1", "p2"]) { name manager { name } } }`);
  assert.equal(result, { data: { people: [{ name: "Ann", manager: null }, { name: "Bob", manager: { name: "Ann" } }] } });
  assert.equal(calls, { people: 2, reports: 0 });
  assert.equal(seenKeys, [["p1", "p2"], ["p1"]]); // the manager load saw only Bob's manager id
});

test("inhibitOnNull: when no entry survives, execute is not called at all", async () => {
  const result = await run(`{ people(ids: ["p1"]) { manager { name } } }`);
  assert.equal(result, { data: { people: [{ manager: null }] } });
  assert.equal(calls, { people: 1, reports: 0 });
});

test("assertNotNull: an error at the right path, and no load for that entry", async () => {
  const result = await run(`{ people(ids: ["p1", "p2"]) { managerOrError { name } } }`);
  assert.equal(result.data, { people: [{ managerOrError: null }, { managerOrError: { name: "Ann" } }] });
  assert.equal(result.errors, [{ message: "This person has no manager.", locations: [{ line: 1, column: 31 }], path: ["people", 0, "managerOrError"] }]);
  assert.equal(seenKeys, [["p1", "p2"], ["p1"]]);
});

test("exitIf null: the list field is null and the reports are never loaded for that entry", async () => {
  const result = await run(`{ people(ids: ["p1", "p3"]) { name reports { name } } }`);
  assert.equal(result.data, { people: [{ name: "Ann", reports: [{ name: "Bob" }, { name: "Cy" }] }, { name: "Cy", reports: null }] });
  assert.equal(seenKeys, [["p1", "p3"], ["p1"], ["p2", "p3"]]); // getReports saw only p1
});

test("exitIf emptyList: the list field answers []", async () => {
  const result = await run(`{ people(ids: ["p3"]) { reportsOrEmpty { name } } }`);
  assert.equal(result, { data: { people: [{ reportsOrEmpty: [] }] } });
  assert.equal(calls, { people: 1, reports: 0 });
});

test("exitIf error: the error lands at the field's path", async () => {
  const result = await run(`{ people(ids: ["p2", "p3"]) { visibleName } }`);
  assert.equal(result.data, { people: [{ visibleName: "Bob" }, { visibleName: null }] });
  assert.equal(result.errors, [{ message: "This person is banned.", locations: [{ line: 1, column: 31 }], path: ["people", 1, "visibleName"] }]);
});

test("trap: inhibited entries become [] again, without loading anything for them", async () => {
  const result = await run(`{ people(ids: ["p1", "p2"]) { trappedReports { name } } }`);
  assert.equal(result.data, { people: [{ trappedReports: [] }, { trappedReports: [{ name: "Bob" }, { name: "Cy" }] }] });
  assert.equal(seenKeys, [["p1", "p2"], ["p1"], ["p2", "p3"]]);
});

test("a missing object (null) stops the plan below it", async () => {
  const result = await run(`{ people(ids: ["p4"]) { name manager { name manager { name } } } }`);
  assert.equal(result, { data: { people: [{ name: "Di", manager: null }] } });
  assert.equal(seenKeys, [["p4"], ["gone"]]);
});

test.run();
