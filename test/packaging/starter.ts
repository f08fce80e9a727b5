// Runs the README's starter (examples/starter/server.mjs) with plain node and checks that it serves the query
// it prints over HTTP: shared by the repository's own run (readme-starter.test.ts) and a new app's
// (new-app-platform.test.ts).
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";

/** Starts the starter at `path` (cwd `cwd`, a free port), asks the query it prints, and stops it. */
export async function runStarter(path: string, cwd: string): Promise<void> {
  const child = spawn(process.execPath, [path], { cwd, env: { ...process.env, PORT: "0" } });
  try {
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
      });
      child.once("exit", (code) => reject(new Error(`the starter exited with ${code}: ${stderr}`)));
    });
    const printed = /^(query .*) at (http:\/\/localhost:\d+\/graphql)$/.exec(line);
    assert.ok(printed, `the starter prints its query and URL: ${line}`);
    const response = await fetch(printed[2]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: printed[1] }) });
    assert.is(response.status, 200);
    assert.equal(await response.json(), { data: { user: { name: "Ada", lists: [{ name: "Groceries" }, { name: "Books" }] } } });
  } finally {
    child.kill();
  }
}
