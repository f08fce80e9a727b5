// Where a schema-build error points in the SDL it was given: an error must carry `locations` that fall on a
// directive (`@…`) or on a field or type name of that text.
import type { GraphQLError } from "graphql";

/** True when `build` throws an error located at a directive or a name inside `typeDefs`. */
export function locatedIn(typeDefs: string, build: () => unknown): boolean {
  try {
    build();
    return false;
  } catch (error) {
    const at = (error as GraphQLError).locations?.[0];
    if (at === undefined) return false;
    const line = typeDefs.split("\n")[at.line - 1];
    return line !== undefined && /^[@A-Za-z_]/.test(line.slice(at.column - 1));
  }
}
