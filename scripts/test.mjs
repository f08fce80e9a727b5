// Runs every uvu test file under test/ through the TypeScript loader and closes with
// the line "N passed, N failed" (", N skipped" when some were skipped).
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = collect(join(root, "test")).filter((f) => !filter || filter.test(relative(root, f)));
let passed = 0;
let failed = 0;
let skipped = 0;

for (const file of files) {
  const rel = relative(root, file);
  const output = await new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: root, env: process.env });
    let text = "";
    child.stdout.on("data", (d) => { text += d; process.stdout.write(d); });
    child.stderr.on("data", (d) => { text += d; process.stderr.write(d); });
    child.on("close", (code) => resolve({ text, code }));
  });
  const total = Number(/Total:\s+(\d+)/.exec(output.text)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(output.text)?.[1] ?? 0);
  const skip = Number(/Skipped:\s+(\d+)/.exec(output.text)?.[1] ?? 0);
  passed += ok;
  skipped += skip;
  // uvu's Total excludes skipped tests.
  let bad = Math.max(0, total - ok);
  if (output.code !== 0 && bad === 0) {
    bad = 1; // a file that crashed before or after its suites ran counts as one failure
    console.error(`\n${rel}: exited with code ${output.code}`);
  }
  failed += bad;
}

console.log(`\n${files.length} test files`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 ? 1 : 0;
