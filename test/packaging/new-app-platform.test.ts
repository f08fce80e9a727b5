// A new app on the platform this run is on, as a user starts one: `npm i <the packed package> graphql` with no
// warning — graphql 16 (the repository's) on Node 20, graphql 17.1 (ci/platform's pin) on Node 22/24, the node
// that runs this file and the npm it runs — then the README's starter (served through GraphQL Yoga, answering
// its query over HTTP) and the todo example (examples/todo, its imports turned to the package's names, run by
// tsx: it checks the planned result against graphql-js's resolvers itself). `.ci/run` runs the suite once per
// platform, so both cases are covered. Installs use the npm cache first; when the packages can be had from
// neither the cache nor the registry, the file skips with a message (a failure under CI=true). Needs dist/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runStarter } from "./starter.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", npm_config_prefer_offline: "true" };
const npm = (args: string[], cwd: string, timeout = 300_000) => spawnSync("npm", args, { cwd, encoding: "utf8", timeout, env });

const nodeMajor = Number(process.versions.node.split(".")[0]);
/** graphql 17 needs Node 22 or later; on Node 20 the app takes graphql 16, the repository's own. */
const graphqlVersion: string =
  nodeMajor >= 22
    ? JSON.parse(readFileSync(join(root, "ci/platform/package.json"), "utf8")).dependencies.graphql
    : JSON.parse(readFileSync(join(root, "node_modules/graphql/package.json"), "utf8")).version;

/** examples/todo's files, their imports of the repository's sources turned into the package's entry points. */
const TODO_FILES = ["kvetchSchema.ts", "resolverSchema.ts", "run.ts", "schema.ts", "seed.ts"];
const PACKAGE_NAMES: Array<[RegExp, string]> = [
  [/"\.\.\/\.\.\/src\/index\.js"/g, '"graphscale"'],
  [/"\.\.\/\.\.\/src\/kvetch\/index\.js"/g, '"graphscale/kvetch"'],
  [/"\.\.\/\.\.\/steps\/kvetch\/index\.js"/g, '"graphscale/kvetch"'],
  [/"\.\.\/\.\.\/steps\/index\.js"/g, '"graphscale/steps"'],
];

/**
 * npm (11.x) lists the `prepare` script of a package installed from a file or git source as an install script
 * not yet allowed (`allowScripts`); from the registry it never counts `prepare` (arborist's install-scripts),
 * so a user's `npm i graphscale` does not show it. That notice is taken out here when it names graphscale's
 * prepare alone; any other warning remains.
 */
function withoutFileSourceNotice(stderr: string): string {
  const notice = /npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:\n(npm warn install-scripts(?: .*)?(?:\n|$))*/;
  const found = notice.exec(stderr);
  if (found === null || !/graphscale@[^ ]+ \(prepare: tsup\)\n/.test(found[0]) || /\((?!prepare: tsup\))[a-z]+:/.test(found[0])) return stderr;
  return stderr.replace(notice, "");
}

if (!existsSync(join(root, "dist/index.js")) && process.env.CI !== "true") {
  console.log("SKIPPED test/packaging/new-app-platform.test.ts: dist/ is missing; run `npm run build` (or `npm test`, which builds first)");
} else {
  const work = mkdtempSync(join(tmpdir(), "graphscale-new-app-"));
  const app = join(work, "app");
  mkdirSync(app);
  // dist/ is built (the runner builds it first): packed as it is, without running prepare again.
  const packed = npm(["pack", "--ignore-scripts", "--pack-destination", work], root, 120_000);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // What the README says to run: `npm i graphscale graphql`.
  const installed = tarball === undefined ? null : npm(["install", "--no-package-lock", join(work, tarball), `graphql@${graphqlVersion}`], app);
  const unreachable = (result: ReturnType<typeof npm> | null) =>
    result !== null && result.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED/.test(result.stderr);

  if (unreachable(installed) && process.env.CI !== "true") {
    console.log(`SKIPPED new-app-platform: graphql@${graphqlVersion} is neither in the npm cache nor reachable (${installed!.stderr.trim().split("\n")[0]})`);
    rmSync(work, { recursive: true, force: true });
  } else {
    test(`Node ${nodeMajor}, graphql ${graphqlVersion}: \`npm i graphscale graphql\` installs with no warning, one graphql`, () => {
      assert.is(packed.status, 0, packed.stderr);
      assert.is(installed?.status, 0, installed?.stderr);
      assert.not.match(withoutFileSourceNotice(installed!.stderr), /npm warn|ERESOLVE|EBADENGINE/i, installed!.stderr);
      // graphql-js's own versionInfo, as the app loads it (17's exports do not include its package.json)
      const version = spawnSync(process.execPath, ["--input-type=module", "-e", 'import { version } from "graphql"; console.log(version)'], { cwd: app, encoding: "utf8" });
      assert.is(version.stdout.trim(), graphqlVersion, version.stderr);
      assert.not.ok(existsSync(join(app, "node_modules/graphscale/node_modules/graphql")), "graphscale brought a graphql of its own");
    });

    test(`Node ${nodeMajor}, graphql ${graphqlVersion}: the README's starter serves its query through GraphQL Yoga`, async () => {
      const yoga = npm(["install", "--no-package-lock", "graphql-yoga", "@envelop/core"], app);
      if (unreachable(yoga) && process.env.CI !== "true") return console.log(`graphql-yoga is not in the npm cache: the starter is not run (${yoga.stderr.trim().split("\n")[0]})`);
      assert.is(yoga.status, 0, yoga.stderr);
      await runStarter(join(app, "node_modules/graphscale/examples/starter/server.mjs"), app);
    });

    test(`Node ${nodeMajor}, graphql ${graphqlVersion}: the todo example runs on the package, its planned result equal to graphql-js's resolvers'`, () => {
      mkdirSync(join(app, "todo"));
      for (const file of TODO_FILES) {
        let text = readFileSync(join(root, "examples/todo", file), "utf8");
        for (const [from, to] of PACKAGE_NAMES) text = text.replace(from, to);
        assert.not.match(text, /"\.\.\/\.\.\//, `${file} still imports the repository's files`);
        writeFileSync(join(app, "todo", file), text);
      }
      const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
      const ran = spawnSync(process.execPath, ["--import", tsx, "todo/run.ts"], { cwd: app, encoding: "utf8", timeout: 120_000 });
      assert.is(ran.status, 0, ran.stderr);
      assert.match(ran.stdout, /"todoUser": \{/);
      assert.match(ran.stdout, /planned \(graphscale\): \d+ store calls/);
      assert.match(ran.stdout, /per-field resolvers \(graphql-js\): \d+ store calls/);
    });

    test.after(() => rmSync(work, { recursive: true, force: true }));
    test.run();
  }
}
