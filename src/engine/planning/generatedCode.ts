// Whether the engine may run code it generates (`new Function`): compiled output and the field setters of
// plan import. The schema's `compileOutput` (makeSchema) decides, else on — off everywhere when
// GRAPHSCALE_COMPILE_OUTPUT=off (the tests run the parity suites both ways), and where the runtime refuses
// `new Function`. A compilation that fails all the same (the policy set later) gives no compiled output.

import type { GraphQLSchema } from "graphql";

/** Whether this runtime runs code made from strings (a policy such as --disallow-code-generation-from-strings may forbid it). */
function codeFromStringsRuns(): boolean {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
}

/** Read once: reading process.env costs more than a small request's whole output. */
const BY_ENVIRONMENT = (typeof process === "undefined" || process.env.GRAPHSCALE_COMPILE_OUTPUT !== "off") && codeFromStringsRuns();

export function generatedCodeAllowed(schema: GraphQLSchema): boolean {
  const configured = (schema.extensions?.graphscale as { compileOutput?: boolean } | undefined)?.compileOutput;
  return configured ?? BY_ENVIRONMENT;
}
