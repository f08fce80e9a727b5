// Whether the engine may run code it generates (`new Function`): compiled output and the field setters of
// plan import. The schema's `compileOutput` (makeSchema) decides, else on — off everywhere when
// GRAPHSCALE_COMPILE_OUTPUT=off (the tests run the parity suites both ways; environments that forbid
// `new Function` set it).

import type { GraphQLSchema } from "graphql";

/** Read once: reading process.env costs more than a small request's whole output. */
const BY_ENVIRONMENT = typeof process === "undefined" || process.env.GRAPHSCALE_COMPILE_OUTPUT !== "off";

export function generatedCodeAllowed(schema: GraphQLSchema): boolean {
  const configured = (schema.extensions?.graphscale as { compileOutput?: boolean } | undefined)?.compileOutput;
  return configured ?? BY_ENVIRONMENT;
}
