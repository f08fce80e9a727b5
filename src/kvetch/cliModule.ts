// Loading a user's module for the `graphscale` commands (a schema, a config): .js/.mjs/.cjs as they are, and
// .ts/.mts/.cts through Node's own type stripping where Node has it, else (or where it cannot) through the tsx the
// user's project installed (graphscale never bundles or requires tsx). Never
// swallows a failure: it comes back saying which file, where its syntax error is, and what to install.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadFailure } from "./syntaxLocation.js";

export const TYPESCRIPT_MODULE = /\.[cm]?ts$/;

/** What a TypeScript module needs when no tsx is found. */
export const NO_TSX =
  "it is TypeScript, which graphscale loads through your project's tsx, and tsx is not installed: run `npm i -D tsx` in your project, or pass the compiled .js file";

let tsxRegistered = false;

/**
 * Registers the user's tsx (its main entry, what `node --import tsx` loads: TypeScript for import and require
 * alike): the tsx the module's own project installed, else the one of the working directory, else one beside
 * graphscale. False when there is none.
 */
async function registerTsx(moduleFile: string): Promise<boolean> {
  if (tsxRegistered) return true;
  const candidates: string[] = [];
  for (const from of [join(dirname(moduleFile), "noop.js"), join(process.cwd(), "noop.js")]) {
    try {
      candidates.push(pathToFileURL(createRequire(from).resolve("tsx")).href);
    } catch {
      // not installed from there
    }
  }
  const beside = "tsx"; // a variable, not a literal import: the bundler must leave tsx to the user's install
  candidates.push(beside);
  for (const specifier of candidates) {
    try {
      await import(specifier);
      tsxRegistered = true;
      return true;
    } catch {
      // try the next one
    }
  }
  return false;
}

/** Why a module could not be loaded (callers lead it with "cannot load <path>: "). */
export class ModuleLoadError extends Error {}

/**
 * importUserModule: the module's namespace; a TypeScript file first registers the user's tsx. `shown` is the
 * path as the user wrote it, which a syntax error's location is given in.
 */
export async function importUserModule(file: string, shown: string): Promise<Record<string, unknown>> {
  const href = pathToFileURL(file).href;
  let again = "";
  if (TYPESCRIPT_MODULE.test(file)) {
    if (nativeTypeScript()) {
      try {
        return (await import(href)) as Record<string, unknown>;
      } catch (error) {
        // What Node's type stripping cannot load (enums, `./x.js` naming a .ts file, CommonJS globals) goes to
        // tsx, as a new instance of the module (the failed one stays failed in the module map). A module that
        // loaded and then threw is not run a second time: its error is the answer.
        if (!strippingCannotLoad(error)) throw new ModuleLoadError(loadFailure(shown, error, file), { cause: error });
        if (!(await registerTsx(file))) throw new ModuleLoadError(strippingFailed(error), { cause: error });
        again = "?tsx";
      }
    } else if (!(await registerTsx(file))) throw new ModuleLoadError(NO_TSX);
  }
  try {
    return (await import(href + again)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(loadFailure(shown, error, file), { cause: error });
  }
}

/** The failures of type stripping or linking (before the module ran), not a module's own top-level throw. */
const STRIPPING_CODES = new Set([
  "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX",
  "ERR_INVALID_TYPESCRIPT_SYNTAX",
  "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING",
  "ERR_UNKNOWN_FILE_EXTENSION",
  "ERR_MODULE_NOT_FOUND",
  "ERR_REQUIRE_ESM",
]);

/**
 * StrippingCannotLoad: whether tsx may load what Node's type stripping could not — a stripping or resolution
 * error, a missing named export (a type imported without `type`), or a CommonJS global in an ES module. Anything
 * else the module threw while running, and running it again would repeat its side effects.
 */
export function strippingCannotLoad(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && STRIPPING_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : "";
  if (error instanceof SyntaxError && /does not provide an export named/.test(message)) return true;
  return error instanceof ReferenceError && /\b(require|module|exports|__dirname|__filename) is not defined in ES module scope/.test(message);
}

/** Why Node's type stripping could not load a module, when no tsx is there to try instead. */
function strippingFailed(error: unknown): string {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  return `it is TypeScript that Node's type stripping cannot load (${reason}), and tsx is not installed: run \`npm i -D tsx\` in your project, or pass the compiled .js file`;
}

/**
 * Node's own type stripping (Node 22.18+, 24) loads a TypeScript module first, as an ES module with the one
 * graphql the command itself uses. tsx reads a .ts file outside a `"type": "module"` package as CommonJS, and its
 * require hook then loads graphql 17's ES entry a second time, as a copy whose types the command does not know.
 */
function nativeTypeScript(): boolean {
  const typescript = (process.features as { typescript?: unknown }).typescript;
  return typescript !== undefined && typescript !== false;
}
