// graphql-js's SDL validation errors with their places. buildASTSchema throws them as one plain Error, the
// messages joined and the places dropped; its SDL rules are public one by one, so they run again here over
// the same document to find where each message comes from.

import {
  GraphQLError,
  KnownDirectivesRule,
  KnownTypeNamesRule,
  LoneSchemaDefinitionRule,
  PossibleTypeExtensionsRule,
  UniqueArgumentDefinitionNamesRule,
  UniqueArgumentNamesRule,
  UniqueDirectiveNamesRule,
  UniqueDirectivesPerLocationRule,
  UniqueEnumValueNamesRule,
  UniqueFieldDefinitionNamesRule,
  UniqueInputFieldNamesRule,
  UniqueOperationTypesRule,
  UniqueTypeNamesRule,
  buildASTSchema,
  visit,
  visitInParallel,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";

/** The public rules among graphql-js 16's SDL rules (two about directive arguments are not public). */
const SDL_RULES = [
  LoneSchemaDefinitionRule,
  UniqueOperationTypesRule,
  UniqueTypeNamesRule,
  UniqueEnumValueNamesRule,
  UniqueFieldDefinitionNamesRule,
  UniqueArgumentDefinitionNamesRule,
  UniqueDirectiveNamesRule,
  KnownTypeNamesRule,
  KnownDirectivesRule,
  UniqueDirectivesPerLocationRule,
  PossibleTypeExtensionsRule,
  UniqueArgumentNamesRule,
  UniqueInputFieldNamesRule,
];

/** The located errors the public SDL rules find in `document` (rules read only the document and report). */
function sdlErrors(document: DocumentNode): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const context = { getDocument: () => document, getSchema: () => undefined, reportError: (error: GraphQLError) => errors.push(error) };
  // The rules take graphql-js's SDLValidationContext, which is not public; they use only these three methods.
  visit(document, visitInParallel(SDL_RULES.map((rule) => rule(context as never))));
  return errors;
}

/**
 * spec: BuildLocatedSchema — buildASTSchema, whose SDL validation failure is thrown as one GraphQLError
 * located at its first message; the other messages follow on their own lines, each led by its
 * `line:column` when a public rule found it. Any other failure is thrown as it is.
 */
export function buildLocatedSchema(document: DocumentNode): GraphQLSchema {
  try {
    return buildASTSchema(document);
  } catch (error) {
    if (error instanceof GraphQLError || !(error instanceof Error)) throw error;
    let located: GraphQLError[];
    try {
      located = sdlErrors(document);
    } catch {
      throw error; // a rule that wants more of its context than these rules do: graphql-js's message as it is
    }
    const placed = error.message.split("\n\n").map((message) => {
      const at = located.findIndex((found) => found.message === message);
      return at < 0 ? { message } : { message, error: located.splice(at, 1)[0]! };
    });
    const [first, ...rest] = placed;
    if (first?.error === undefined) throw error;
    const lines = rest.map(({ message, error: found }) => {
      const where = found?.locations?.[0];
      return where === undefined ? `  ${message}` : `  ${where.line}:${where.column}: ${message}`;
    });
    throw new GraphQLError([first.message, ...lines].join("\n"), { nodes: first.error.nodes, originalError: error });
  }
}
