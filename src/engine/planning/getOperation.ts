// getOperation: graphql-js's GetOperation — the operation a request runs and the fragments it may spread,
// shared by `execute` and `explainPlan` so both choose exactly alike. Reads the document only: never
// validates, coerces or plans, and returns (does not throw) graphql-js's request error for a bad choice.

import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";

/** The operation to run and the fragments it may spread, or graphql-js's error for a bad choice. */
/** The operation a request runs, and the document's fragments by name. */
export interface ChosenOperation {
  readonly operation: OperationDefinitionNode;
  readonly fragments: Record<string, FragmentDefinitionNode>;
}

export function getOperation(document: DocumentNode, operationName: string | null | undefined): ChosenOperation | GraphQLError {
  let operation: OperationDefinitionNode | undefined;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (operationName == null) {
        if (operation !== undefined) return new GraphQLError("Must provide operation name if query contains multiple operations.");
        operation = definition;
      } else if (definition.name?.value === operationName) {
        operation = definition;
      }
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  if (!operation) {
    return new GraphQLError(operationName != null ? `Unknown operation named "${operationName}".` : "Must provide an operation.");
  }
  return { operation, fragments };
}
