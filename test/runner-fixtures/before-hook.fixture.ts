// A `before` hook that throws: uvu alone prints "(0 / 1)" and exits 0.
import { test } from "uvu";

test.before(() => {
  throw new Error("the database is not there");
});
test("never runs", () => {});
test.run();
