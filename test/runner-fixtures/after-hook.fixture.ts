// An `after` hook that throws once both tests passed.
import { suite } from "uvu";

const s = suite("teardown");
s.after(async () => {
  throw new Error("could not close the server");
});
s("one", () => {});
s("two", () => {});
s.run();
