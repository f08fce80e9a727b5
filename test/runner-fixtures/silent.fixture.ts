// A file that registers no test and says nothing.
import { test } from "uvu";

if (process.env.NEVER_SET_IN_TESTS === "1") {
  test("hidden", () => {});
  test.run();
}
