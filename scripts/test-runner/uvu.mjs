// uvu with its hooks watched. uvu 0.5 runs `before` hooks inside a try whose `finally` returns, so a
// throwing hook's error is dropped and the file still exits 0. Every hook registered through this module
// prints its error under a "✘ hook failed" line that scripts/test.mjs counts, and the process exits 1.
import * as uvu from "uvu";

export const exec = uvu.exec;
export const suite = (name = "", state) => watch(uvu.suite(name, state), name);
export const test = watch(uvu.test, "");

let failures = 0;
process.on("exit", () => {
  if (failures > 0) process.exitCode = 1;
});

function watch(target, suiteName) {
  const { before, after } = target;
  const beforeEach = before.each;
  const afterEach = after.each;
  target.before = (handler) => before(guard(handler, "before", suiteName));
  target.before.each = (handler) => beforeEach(guard(handler, "before.each", suiteName));
  target.after = (handler) => after(guard(handler, "after", suiteName));
  target.after.each = (handler) => afterEach(guard(handler, "after.each", suiteName));
  return target;
}

function guard(handler, kind, suiteName) {
  return async (state) => {
    try {
      return await handler(state);
    } catch (error) {
      failures++;
      const where = suiteName ? ` in suite "${suiteName}"` : "";
      const text = error instanceof Error ? error.stack ?? String(error) : String(error);
      process.stderr.write(`\n✘ hook failed: ${kind}${where}\n${text.replace(/^/gm, "    ")}\n`);
      throw error;
    }
  };
}
