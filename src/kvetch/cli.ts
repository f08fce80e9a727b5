// The `graphscale` bin (dist/cli.js; or `npx tsx src/kvetch/cli.ts`): runs one `graphscale kvetch ...`
// command with this process's arguments, environment and streams. Never does anything on import but that.

import { runCli } from "./commandLine.js";

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, cwd: process.cwd(), out: process.stdout, err: process.stderr });
