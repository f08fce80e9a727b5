// Document nodes as exported plans name them, numbered in pre-order: every node per scope (the operation,
// then each named fragment: what a step's value may reference), or the field nodes alone in one list (what
// the output plan references).

import type { ASTNode, FragmentDefinitionNode, OperationDefinitionNode } from "graphql";

/**
 * Document nodes numbered in pre-order, per scope ("" for the operation, a fragment's name otherwise). A plain
 * walk over each node's child keys as graphql-js visits them (never `loc`): it runs on every import, so no
 * visitor machinery.
 */
export function documentNodes(operation: OperationDefinitionNode, fragments: { readonly [name: string]: FragmentDefinitionNode }): Map<string, ASTNode[]> {
  const scopes = new Map<string, ASTNode[]>();
  scopes.set("", walk(operation));
  for (const name of Object.keys(fragments).sort()) scopes.set(name, walk(fragments[name]!));
  return scopes;
}

/**
 * The field nodes alone, through selection sets only: what the output plan names. One list, the operation's
 * first, then each named fragment's in name order, so a field node is one number whatever its scope. Far
 * fewer nodes than documentNodes (no names, arguments or values), so the output plan's references cost the
 * importing process one short walk.
 */
export function fieldNodesOf(operation: OperationDefinitionNode, fragments: { readonly [name: string]: FragmentDefinitionNode }): ASTNode[] {
  const fields: ASTNode[] = [];
  walkFields(operation, fields);
  for (const name of Object.keys(fragments).sort()) walkFields(fragments[name]!, fields);
  return fields;
}

/** A node that may hold a selection set, as walkFields reads it. */
type Selecting = { readonly kind: string; readonly selectionSet?: { readonly selections: readonly Selecting[] } };

function walkFields(root: ASTNode, fields: ASTNode[]): void {
  // The selection lists being walked and the position in each: a plain stack, so a deep document never
  // exhausts the JS stack.
  const lists: Array<readonly Selecting[]> = [];
  const positions: number[] = [];
  let list = (root as Selecting).selectionSet?.selections;
  let i = 0;
  while (list !== undefined) {
    if (i < list.length) {
      const node = list[i++]!;
      if (node.kind === "Field") fields.push(node as unknown as ASTNode);
      const inner = node.selectionSet?.selections;
      if (inner !== undefined && inner.length > 0) {
        lists.push(list);
        positions.push(i);
        list = inner;
        i = 0;
      }
    } else {
      list = lists.pop();
      i = positions.pop() ?? 0;
    }
  }
}

/** The child keys of the nodes an executable document holds, in graphql-js's visiting order. */
const CHILD_KEYS: { readonly [kind: string]: readonly string[] | undefined } = {
  OperationDefinition: ["name", "variableDefinitions", "directives", "selectionSet"],
  VariableDefinition: ["variable", "type", "defaultValue", "directives"],
  Variable: ["name"],
  SelectionSet: ["selections"],
  Field: ["alias", "name", "arguments", "directives", "selectionSet"],
  Argument: ["name", "value"],
  FragmentSpread: ["name", "directives"],
  InlineFragment: ["typeCondition", "directives", "selectionSet"],
  FragmentDefinition: ["name", "variableDefinitions", "typeCondition", "directives", "selectionSet"],
  ListValue: ["values"],
  ObjectValue: ["fields"],
  ObjectField: ["name", "value"],
  Directive: ["name", "arguments"],
  NamedType: ["name"],
  ListType: ["type"],
  NonNullType: ["type"],
};

function walk(root: ASTNode): ASTNode[] {
  const nodes: ASTNode[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as { readonly kind: string; readonly [key: string]: unknown };
    nodes.push(node as unknown as ASTNode);
    const keys = CHILD_KEYS[node.kind];
    if (keys === undefined) continue;
    for (let k = keys.length - 1; k >= 0; k--) {
      const child = node[keys[k]!];
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i--) if (isNode(child[i])) stack.push(child[i]);
      } else if (isNode(child)) stack.push(child);
    }
  }
  return nodes;
}

function isNode(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}
