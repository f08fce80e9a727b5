#!/usr/bin/env node
// The `graphscale` command (dist/graphscale.js): `schema print` and `typegen` run here (annotated SDL sits above
// the engine and the store); `kvetch migrate|repair|stats` and `deps invalidate` are the store's own CLI, given a
// schema loader that also reads annotated SDL. Never does anything on import but run the one command.

import { runCommand } from "./run.js";

process.exitCode = await runCommand(process.argv.slice(2), { env: process.env, cwd: process.cwd(), out: process.stdout, err: process.stderr });
