// The document text an operation hash is taken of (spec/plan-export.md, DocumentText): one compact text per
// document, the same in every process, written by a plain recursive walk — graphql-js's `print` runs its
// visitor over every node and was half of an import's time. Never reads `loc` (a transformed document is
// hashed by what it holds, not by the source it was parsed from). Kept per document object.

import {
  Kind,
  print,
  type ArgumentNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
} from "graphql";

const texts = new WeakMap<DocumentNode, string>();

/** spec: DocumentText — every definition of the document, in order, one a line, compact and unambiguous. */
export function documentText(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = "";
    for (const definition of document.definitions) text += definitionText(definition) + "\n";
    texts.set(document, text);
  }
  return text;
}

function definitionText(definition: DefinitionNode): string {
  switch (definition.kind) {
    case Kind.OPERATION_DEFINITION: {
      let text = definition.operation + (definition.name === undefined ? "" : " " + definition.name.value);
      const variables = definition.variableDefinitions ?? [];
      if (variables.length > 0) {
        text += "(";
        for (let i = 0; i < variables.length; i++) {
          const v = variables[i]!;
          text += (i > 0 ? "," : "") + "$" + v.variable.name.value + ":" + typeText(v.type);
          if (v.defaultValue !== undefined) text += "=" + valueText(v.defaultValue);
          text += directivesText(v.directives);
        }
        text += ")";
      }
      return text + directivesText(definition.directives) + selectionsText(definition.selectionSet);
    }
    case Kind.FRAGMENT_DEFINITION:
      return "fragment " + definition.name.value + " on " + definition.typeCondition.name.value + directivesText(definition.directives) + selectionsText(definition.selectionSet);
    default:
      // Not executable (a type system definition in the document): graphql-js's own text of it.
      return print(definition);
  }
}

function selectionsText(set: SelectionSetNode | undefined): string {
  if (set === undefined) return "";
  let text = "{";
  const selections = set.selections;
  for (let i = 0; i < selections.length; i++) {
    const s = selections[i]!;
    if (i > 0) text += " ";
    if (s.kind === Kind.FIELD) {
      // A leaf field without arguments or directives (most of a wide selection) is its name: no calls.
      if (s.alias !== undefined) text += s.alias.value + ":";
      text += s.name.value;
      if (s.arguments !== undefined && s.arguments.length > 0) text += argumentsText(s.arguments);
      if (s.directives !== undefined && s.directives.length > 0) text += directivesText(s.directives);
      if (s.selectionSet !== undefined) text += selectionsText(s.selectionSet);
    } else if (s.kind === Kind.FRAGMENT_SPREAD) {
      text += "..." + s.name.value + directivesText(s.directives);
    } else {
      text += "..." + (s.typeCondition === undefined ? "" : "on " + s.typeCondition.name.value) + directivesText(s.directives) + selectionsText(s.selectionSet);
    }
  }
  return text + "}";
}

function argumentsText(args: readonly ArgumentNode[] | undefined): string {
  if (args === undefined || args.length === 0) return "";
  let text = "(";
  for (let i = 0; i < args.length; i++) text += (i > 0 ? "," : "") + args[i]!.name.value + ":" + valueText(args[i]!.value);
  return text + ")";
}

function directivesText(directives: readonly DirectiveNode[] | undefined): string {
  if (directives === undefined) return "";
  let text = "";
  for (const d of directives) text += "@" + d.name.value + argumentsText(d.arguments);
  return text;
}

function typeText(type: TypeNode): string {
  if (type.kind === Kind.NON_NULL_TYPE) return typeText(type.type) + "!";
  if (type.kind === Kind.LIST_TYPE) return "[" + typeText(type.type) + "]";
  return type.name.value;
}

function valueText(value: ValueNode): string {
  switch (value.kind) {
    case Kind.VARIABLE:
      return "$" + value.name.value;
    case Kind.INT:
    case Kind.FLOAT:
      return value.value;
    case Kind.STRING:
      return JSON.stringify(value.value);
    case Kind.BOOLEAN:
      return value.value ? "true" : "false";
    case Kind.NULL:
      return "null";
    case Kind.ENUM:
      return value.value;
    case Kind.LIST: {
      let text = "[";
      for (let i = 0; i < value.values.length; i++) text += (i > 0 ? "," : "") + valueText(value.values[i]!);
      return text + "]";
    }
    case Kind.OBJECT: {
      let text = "{";
      for (let i = 0; i < value.fields.length; i++) text += (i > 0 ? "," : "") + value.fields[i]!.name.value + ":" + valueText(value.fields[i]!.value);
      return text + "}";
    }
  }
}
