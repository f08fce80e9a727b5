// Typed plans: `graphscale typegen` types a schema's plans, and `tsc --strict` on a user's app (test/typed/
// fixture, against the built package) catches a type-name typo in `plans`, a field that does not exist, a
// loadOne callback whose key type does not match, `args.get` of an undeclared argument and `$parent.get` of
// a missing field. The README's schema snippet compiles as it is.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { buildSchema } from "graphql";
import { typegen } from "../../steps/kvetch/cli/typegen.js";

const fixture = fileURLToPath(new URL("./fixture/", import.meta.url));
const tsc = join(fileURLToPath(new URL("../..", import.meta.url)), "node_modules/typescript/bin/tsc");

function compile(): { status: number | null; errors: string[] } {
  const run = spawnSync(process.execPath, [tsc, "-p", join(fixture, "tsconfig.json")], { encoding: "utf8" });
  return { status: run.status, errors: run.stdout.split("\n").filter((l) => l.includes("error TS")) };
}

test("typegen: the fixture's generated types are up to date with its schema", () => {
  const expected = typegen(buildSchema(readFileSync(join(fixture, "schema.graphql"), "utf8")));
  assert.fixture(readFileSync(join(fixture, "schema.generated.ts"), "utf8"), expected);
});

test("tsc --strict: the fixture app compiles, so each of its 5 @ts-expect-error lines is an error", () => {
  const { status, errors } = compile();
  assert.equal(errors, []);
  assert.is(status, 0);
});

test("tsc --strict: without the @ts-expect-error lines, exactly the 5 mistakes are reported", () => {
  const app = readFileSync(join(fixture, "app.ts"), "utf8");
  const bare = join(fixture, "bare.ts");
  writeFileSync(bare, app.split("\n").filter((l) => !l.includes("@ts-expect-error")).join("\n"));
  try {
    const { errors } = compile();
    const found = errors.map((e) => /bare\.ts\(\d+,\d+\): error (TS\d+): (.*)$/.exec(e)?.slice(1).join(" ") ?? e);
    assert.is(found.length, 5, found.join("\n"));
    assert.match(found[0]!, /TS2561 .*'Usr' does not exist in type 'Plans'/);
    assert.match(found[1]!, /TS2353 .*'nickname' does not exist/);
    assert.match(found[2]!, /TS2345 Argument of type 'Step<string>' is not assignable to parameter of type 'Step<number>'/);
    assert.match(found[3]!, /TS2345 Argument of type '"last"' is not assignable to parameter of type '"first"/);
    assert.match(found[4]!, /TS2345 Argument of type '"nickname"' is not assignable to parameter of type '"id" \| "name" \| "friends"'/);
  } finally {
    rmSync(bare, { force: true });
  }
});

test("the README's schema snippet (Writing a schema with plans) compiles under tsc --strict", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Writing a schema with plans"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const file = join(fixture, "readme-snippet.ts");
  const declarations = [
    "declare const query: string;",
    "declare const variableValues: Record<string, unknown>;",
    "declare const contextValue: unknown;",
    "declare function getUsersByIds(ids: readonly string[]): Promise<Array<{ id: string; name: string }>>;",
    "declare function getListIdsByUserIds(ids: readonly string[], first: number): Promise<string[][]>;",
    "declare function getListsByIds(ids: readonly string[]): Promise<Array<{ name: string }>>;",
  ];
  const imports = snippet.split("\n").filter((l) => l.startsWith("import "));
  const body = snippet.split("\n").filter((l) => !l.startsWith("import "));
  writeFileSync(file, [...imports, ...declarations, ...body, "export { result, schema };"].join("\n"));
  try {
    assert.equal(compile().errors, []);
  } finally {
    rmSync(file, { force: true });
  }
});

test("typegen: types named like TypeScript's own or reserved words, and names every object has, give types tsc --strict accepts", () => {
  const awkward = buildSchema(`
    type Query { get(id: ID!): default  all: [Array] s: string p: Plans r: PlanResolver }
    type default { id: ID! class: Int constructor: String }
    type Array { n: Int }
    type Array_ { n: Int }
    type string { n: Int }
    type Plans { n: Int }
    type PlanResolver { n: Int }
    type toString { valueOf: Int }
  `);
  const file = join(fixture, "awkward.generated.ts");
  writeFileSync(
    file,
    typegen(awkward) +
      [
        "// An app's plans: giving none of the awkward types, or some of them, still satisfies Plans.",
        "export const none = { Query: {} } satisfies Plans;",
        "export const some = { default: { class: () => undefined as never }, toString: {} } satisfies Plans;",
        "export const value: default_ = { id: \"1\", class: 1, constructor: null };",
        "export const list: Array__ = { n: 1 };",
        "",
      ].join("\n"),
  );
  try {
    assert.equal(compile().errors, []);
  } finally {
    rmSync(file, { force: true });
  }
});

test.run();
