// A file that throws while loading, before any test is registered.
import { test } from "uvu";

throw new Error("cannot load the schema");
test("never registered", () => {});
test.run();
