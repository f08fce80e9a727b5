// The `graphscale` command: `schema print` and `typegen` run here (annotated SDL sits above the engine and
// the store); every other command (`kvetch migrate|repair|stats`) is the store's own CLI, loaded as it is.

import { runSchemaCli } from "./schemaCommands.js";

const argv = process.argv.slice(2);
if (argv[0] === "schema" || argv[0] === "typegen") {
  process.exitCode = await runSchemaCli(argv, { cwd: process.cwd(), out: process.stdout, err: process.stderr });
} else {
  // The store's CLI runs itself on import: from source under tsx, or as the bundle beside this one.
  const storeCli = import.meta.url.endsWith(".ts") ? "../../../src/kvetch/cli.ts" : "./cli.js";
  await import(new URL(storeCli, import.meta.url).href);
}
