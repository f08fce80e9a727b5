// Where a JavaScript module that failed to load has its syntax error. Node's ESM loader throws a SyntaxError
// without the file's line and column; `node --check` prints them, so the command-line tools ask it, once,
// only after a load has already failed.

import { spawnSync } from "node:child_process";

/**
 * syntaxLocation: `path:line:column` of the syntax error that made `error` (thrown while importing the
 * JavaScript module `file`, shown as `path`), or null when `error` is no SyntaxError, the module is not
 * JavaScript (TypeScript's loader names the place itself), or `node --check` does not say.
 */
export function syntaxLocation(path: string, error: unknown, file = path): string | null {
  if (!(error instanceof SyntaxError) || !/\.[cm]?js$/.test(file)) return null;
  const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
  // file:///dir/name.mjs:3  |  the line  |  the caret under the place
  const lines = (check.stderr ?? "").split("\n");
  const line = /:(\d+)$/.exec(lines[0] ?? "")?.[1];
  if (line === undefined) return null;
  const caret = (lines[2] ?? "").indexOf("^");
  return caret >= 0 ? `${path}:${line}:${caret + 1}` : `${path}:${line}`;
}

/** The message of a module's load failure, led by the place of its syntax error when there is one. */
export function loadFailure(path: string, error: unknown, file = path): string {
  const at = syntaxLocation(path, error, file);
  const message = error instanceof Error ? error.message : String(error);
  return at === null ? message : `${at}: ${message}`;
}
