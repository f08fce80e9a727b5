// defineSchema refuses keys it does not take (a typo such as `uniqe: true` or `ondelete` would otherwise be
// dropped silently), naming the key, where it is and the known keys; and messages never say "a A".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkJsonValue, defineSchema, KvetchError, type KvetchSchemaConfig } from "../../src/kvetch/index.js";

const base = (): KvetchSchemaConfig => ({
  objects: [
    { name: "Member", typeId: 1 },
    { name: "Loan", typeId: 2 },
  ],
  edges: [{ name: "member_to_loan", edgeId: 1, fromType: "Member", storedIdAttr: "memberId", storedOnType: "Loan" }],
  indexes: [{ name: "email", indexId: 1, indexedType: "Member", indexedAttr: "email" }],
});

function refusal(config: unknown): KvetchError {
  try {
    defineSchema(config as KvetchSchemaConfig);
  } catch (error) {
    assert.instance(error, KvetchError);
    return error as KvetchError;
  }
  throw new Error("defineSchema accepted the config");
}

test("the known keys everywhere are accepted", () => {
  assert.ok(defineSchema(base()).objectType("Member", "test"));
});

test("an unknown key on an index, an edge, an object and the top level is refused naming the key, where and the known keys", () => {
  const index = base();
  (index.indexes![0] as unknown as Record<string, unknown>).uniqe = true;
  const edge = base();
  (edge.edges![0] as unknown as Record<string, unknown>).ondelete = "cascade";
  const object = base();
  (object.objects[1] as unknown as Record<string, unknown>).typeID = 3;
  const top = { ...base(), index: [] };
  const cases: Array<[unknown, RegExp]> = [
    [index, /indexes\[0\] \(email\) has the unknown key "uniqe".*Known keys: name, indexId, indexedType, indexedAttr, unique/],
    [edge, /edges\[0\] \(member_to_loan\) has the unknown key "ondelete".*Known keys: name, edgeId, fromType, toType, storedIdAttr, storedOnType, onDelete/],
    [object, /objects\[1\] \(Loan\) has the unknown key "typeID".*Known keys: name, typeId/],
    [top, /defineSchema's config has the unknown key "index".*Known keys: objects, edges, indexes/],
  ];
  for (const [config, message] of cases) {
    const error = refusal(config);
    assert.is(error.code, "BAD_SCHEMA");
    assert.match(error.message, message);
  }
});

test('no message template in src/kvetch or steps/kvetch puts "a" before a name that may start with a vowel', () => {
  const offenders: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (path.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        // `a ${x}` or "not a " + x: an article fixed before a name filled in later.
        for (const match of text.matchAll(/[`" ]a \$\{(?!\/)[^}]*\}|"a " \+/g)) offenders.push(`${path}: ${match[0]}`);
      }
    }
  };
  const root = new URL("../../", import.meta.url).pathname;
  visit(join(root, "src/kvetch"));
  visit(join(root, "steps/kvetch"));
  assert.equal(offenders, []);
});

test("a data value of a class whose name starts with a vowel is \"an Instant\", a Date still \"a Date\"", () => {
  class Instant {}
  for (const [value, words] of [[new Instant(), "is an Instant;"], [new Date(0), "is a Date;"]] as const) {
    try {
      checkJsonValue({ when: value }, "data");
      assert.unreachable("accepted a class instance");
    } catch (error) {
      assert.instance(error, KvetchError);
      assert.ok((error as Error).message.includes(words), (error as Error).message);
    }
  }
});

test.run();
