// Two passing tests, one failing assertion, one skipped test.
import { test } from "uvu";
import * as assert from "uvu/assert";

test("passes", () => assert.is(1, 1));
test("also passes", () => assert.ok(true));
test("fails", () => assert.is(1 + 1, 3, "one plus one"));
test.skip("skipped", () => {});
test.run();
