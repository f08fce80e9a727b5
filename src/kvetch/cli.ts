// The store's commands (`kvetch migrate|repair|stats`, `deps invalidate`) run from source: `npx tsx
// src/kvetch/cli.ts ...`, schema modules only. The installed bin is dist/graphscale.js (steps/kvetch/cli/main.ts),
// which also reads annotated SDL. Never does anything on import but run the one command.

import { runCli } from "./commandLine.js";

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, cwd: process.cwd(), out: process.stdout, err: process.stderr });
