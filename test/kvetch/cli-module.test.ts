// Loading a user's TypeScript module for the CLI: a module that loaded and then threw at its top level is not
// run a second time through tsx (its side effects would repeat); what type stripping or linking cannot load
// goes to tsx. Asserts what ran and what was thrown, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importUserModule, ModuleLoadError, strippingCannotLoad } from "../../src/kvetch/cliModule.js";

test("a module that throws while running runs once, and its error is what the caller gets", async () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-cli-module-"));
  try {
    const marks = join(dir, "marks.txt");
    writeFileSync(marks, "");
    const file = join(dir, "schema.mts");
    writeFileSync(
      file,
      `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(marks)}, "ran\\n");\nconst n: number = 1;\nthrow new Error("boom at startup " + n);\n`,
    );
    const error = await importUserModule(file, "schema.mts").then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(error, ModuleLoadError);
    assert.match((error as Error).message, /boom at startup 1/);
    assert.is(readFileSync(marks, "utf8"), "ran\n", "the module ran exactly once");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("strippingCannotLoad: stripping and link errors go to tsx, a module's own errors do not", () => {
  const coded = (code: string) => Object.assign(new Error("x"), { code });
  assert.ok(strippingCannotLoad(coded("ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX")), "an enum");
  assert.ok(strippingCannotLoad(coded("ERR_MODULE_NOT_FOUND")), "./x.js naming a .ts file");
  assert.ok(strippingCannotLoad(new SyntaxError("The requested module './types.ts' does not provide an export named 'Row'")));
  assert.ok(strippingCannotLoad(new ReferenceError("require is not defined in ES module scope, you can use import instead")));
  assert.not.ok(strippingCannotLoad(new Error("connect ECONNREFUSED 127.0.0.1:3306")));
  assert.not.ok(strippingCannotLoad(new SyntaxError("Unexpected token } in JSON at position 3")));
  assert.not.ok(strippingCannotLoad(new ReferenceError("config is not defined")));
  assert.not.ok(strippingCannotLoad("a string"));
});

test.run();
