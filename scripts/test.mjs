// Runs every uvu test file under test/ (or those whose path matches the regex in argv[2]) through the
// TypeScript loader and closes with the line "N passed, N failed, N skipped". It never trusts a file's
// silence: a failing hook, a crash, or a file that runs no test and gives no reason is a failure, named
// with its file and its error; a file that skips itself with a message counts as skipped.
// Before the files run, dist/ is rebuilt when it is missing or older than its sources (test/build.test.ts
// checks the package as users load it).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// `--fixtures <dir>` runs the *.fixture.ts files of a directory instead (test/runner.test.ts checks the
// runner's verdicts on files that fail in every way it must catch).
const args = process.argv.slice(2);
const fixtures = args[0] === "--fixtures" ? join(root, args[1]) : null;
const pattern = fixtures ? args[2] : args[0];
const filter = pattern ? new RegExp(pattern) : null;
const suffix = fixtures ? ".fixture.ts" : ".test.ts";
const preload = new URL("./test-runner/preload.mjs", import.meta.url).href;

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

// ---- dist/ freshness ------------------------------------------------------------------------------

const BUILD_INPUTS = ["src", "steps", "tsup.config.ts", "package.json", "tsconfig.json"];
const BUILD_OUTPUTS = ["index", "steps", "kvetch"].flatMap((e) => [".js", ".cjs", ".d.ts", ".d.cts"].map((x) => `dist/${e}${x}`)).concat("dist/graphscale.js");

/** The newest file under the given paths: [mtimeMs, path]. */
function newest(paths) {
  let best = [0, ""];
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > best[0]) best = [stat.mtimeMs, path];
  };
  for (const p of paths) visit(join(root, p));
  return best;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
function distStaleness() {
  const missing = BUILD_OUTPUTS.find((p) => !existsSync(join(root, p)));
  if (missing) return `${missing} is missing`;
  const oldestOutput = Math.min(...BUILD_OUTPUTS.map((p) => statSync(join(root, p)).mtimeMs));
  const [mtime, path] = newest(BUILD_INPUTS);
  return mtime > oldestOutput ? `${relative(root, path)} is newer than dist/` : null;
}

// ---- one test file ---------------------------------------------------------------------------------

const strip = (text) => text.replace(/\x1b\[[0-9;]*m/g, "");

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--import", preload, file], { cwd: root, env: process.env });
    let text = "";
    let stderr = "";
    child.stdout.on("data", (d) => { text += d; process.stdout.write(d); });
    child.stderr.on("data", (d) => { text += d; stderr += d; process.stderr.write(d); });
    child.on("close", (code, signal) => resolve({ text: strip(text), stderr: strip(stderr), code: code ?? 1, signal }));
  });
}

/**
 * uvu's failure blocks: '  FAIL  "test name"', then the message (several lines for some), which ends at
 * its "(operator)" marker, a blank line, or the stack.
 */
function failedTests(text) {
  const out = [];
  const re = /^\s*FAIL\s+(?:\S.*?\s{2,})?"(.*)"\n/gm;
  for (let m; (m = re.exec(text)); ) {
    const message = [];
    for (const line of text.slice(re.lastIndex).split("\n").slice(0, 40)) {
      if (line.trim() === "" || /^\s+at /.test(line)) break;
      message.push(line.trim());
      if (/ {2}\(\w+\)$/.test(line)) break;
    }
    out.push(`"${m[1]}": ${message.join("\n")}`);
  }
  return out;
}

/** The hook failures uvu.mjs printed: the hook, and the first line of its error. */
function failedHooks(text) {
  const out = [];
  const re = /^✘ hook failed: (\S+)(.*)\n\s*(.*)$/gm;
  for (let m; (m = re.exec(text)); ) out.push({ kind: m[1], text: `${m[1]} hook${m[2]}: ${m[3].trim()}` });
  return out;
}

function lastLines(text, n) {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/** Counts for one file, and why it failed or was skipped. */
function judge(output) {
  const { text, code, signal } = output;
  const summary = /Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/.exec(text);
  const total = Number(summary?.[1] ?? 0);
  const ok = Number(summary?.[2] ?? 0);
  const skip = Number(summary?.[3] ?? 0);
  const hooks = failedHooks(text);
  const reasons = [...failedTests(text), ...hooks.map((h) => h.text)];
  // uvu's Total excludes skipped tests; tests a failing `before` hook kept from running are not passed.
  // An `after` hook runs once the tests are counted, so its failure is one more.
  let failed = Math.max(0, total - ok) + hooks.filter((h) => h.kind === "after").length;
  let skipped = skip;
  if (total === 0 && skip === 0 && code === 0 && failed === 0) {
    // No test ran and nothing failed: a deliberate skip says so, anything else is a file that lies.
    const printed = text.replace(/^\s*(Total|Passed|Skipped|Duration):.*$/gm, "");
    const message = /^.*\b(SKIPPED|[Ss]kipped|[Ss]kipping)\b.*$/m.exec(printed)?.[0];
    if (message) return { passed: 0, failed: 0, skipped: 1, reasons: [message.trim()] };
    return { passed: 0, failed: 1, skipped: 0, reasons: ["registered no test and printed no skip message"] };
  }
  if (!summary) {
    failed = Math.max(failed, 1);
    const how = `crashed before uvu reported (${signal ? `signal ${signal}` : `exit code ${code}`})`;
    // A hook's error is already among the reasons; otherwise show the end of what the file printed.
    reasons.push(hooks.length > 0 ? how : `${how}:\n${lastLines(output.stderr || text, 15)}`);
  } else if (code !== 0 && failed === 0) {
    failed = 1;
    reasons.push(`exited with code ${code} after its tests passed:\n${lastLines(output.stderr || text, 15)}`);
  }
  if (failed > 0 && reasons.length === 0) reasons.push(`${failed} test(s) did not pass (see the output above)`);
  return { passed: ok, failed, skipped, reasons };
}

// ---- the run ---------------------------------------------------------------------------------------

const files = collect(fixtures ?? join(root, "test")).filter((f) => !filter || filter.test(relative(root, f)));
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const skips = [];

if (files.some((f) => relative(root, f) === "test/build.test.ts")) {
  const stale = distStaleness();
  if (stale) {
    console.log(`building dist/ first: ${stale}`);
    const build = spawnSync(process.execPath, [join(root, "node_modules/tsup/dist/cli-default.js")], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) {
      failed++;
      failures.push({ file: "npm run build", reasons: [`tsup exited with ${build.status ?? build.signal}`] });
    }
  }
}

for (const file of files) {
  const rel = relative(root, file);
  console.log(`\n── ${rel}`);
  const verdict = judge(await run(file));
  passed += verdict.passed;
  failed += verdict.failed;
  skipped += verdict.skipped;
  if (verdict.failed > 0) failures.push({ file: rel, reasons: verdict.reasons });
  else if (verdict.skipped > 0 && verdict.passed === 0) skips.push({ file: rel, reasons: verdict.reasons });
}

console.log(`\n${files.length} test files`);
for (const { file, reasons } of skips) console.log(`- skipped ${file}${reasons.length ? `: ${reasons.join("; ")}` : ""}`);
for (const { file, reasons } of failures) {
  console.log(`✘ ${file}`);
  for (const reason of reasons) console.log(reason.replace(/^/gm, "    "));
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
