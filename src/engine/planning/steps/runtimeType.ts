// RuntimeTypeStep: the concrete type of each entry of an abstract field, from the name its type step gave,
// checked as graphql-js checks it (exists, is an object type, is possible), then the type's `isTypeOf`.
// Serves resolveType emulation and plan types alike; its value is the type name or graphql-js's error.

import { GraphQLError, isObjectType, type GraphQLAbstractType, type GraphQLObjectType } from "graphql";
import { Step, type ExecutionDetails } from "../../step.js";
import { fail } from "../../flags.js";
import { isPromiseLike } from "../../promiseOrValue.js";
import { inspect } from "../../inspect.js";
import { buildResolveInfo, type FieldContext, type Path, type ResolverExecutionDetails } from "../resolveInfo.js";
import { registerStepClass } from "../../stepRegistry.js";
import { selectionErrorAt } from "../collectFields.js";
import { COLLECTS_SUBFIELDS_BEFORE_IS_TYPE_OF, NOT_A_TYPE_NAME_ENDING, REFUSES_OBJECT_TYPE_FROM_RESOLVE_TYPE } from "../graphqlAdapter.js";

/** spec: EnsureValidRuntimeType — graphql-js's checks on what resolveType returned, with its messages. */
function ensureValidRuntimeType(name: unknown, abstractType: GraphQLAbstractType, field: FieldContext, value: unknown): GraphQLObjectType {
  if (name == null) {
    throw new GraphQLError(
      `Abstract type "${abstractType.name}" must resolve to an Object type at runtime for field "${field.parentType.name}.${field.fieldName}". Either the "${abstractType.name}" type should provide a "resolveType" function or each possible type should provide an "isTypeOf" function.`,
      { nodes: field.fieldNodes },
    );
  }
  if (REFUSES_OBJECT_TYPE_FROM_RESOLVE_TYPE && isObjectType(name)) {
    throw new GraphQLError(
      "Support for returning GraphQLObjectType from resolveType was removed in graphql-js@16.0.0 please return type name instead.",
    );
  }
  if (typeof name !== "string") {
    throw new GraphQLError(
      `Abstract type "${abstractType.name}" must resolve to an Object type at runtime for field "${field.parentType.name}.${field.fieldName}" with value ${inspect(value)}, received "${inspect(name)}"${NOT_A_TYPE_NAME_ENDING}`,
    );
  }
  const runtimeType = field.schema.getType(name);
  if (runtimeType == null) {
    throw new GraphQLError(`Abstract type "${abstractType.name}" was resolved to a type "${name}" that does not exist inside the schema.`, {
      nodes: field.fieldNodes,
    });
  }
  if (!isObjectType(runtimeType)) {
    throw new GraphQLError(`Abstract type "${abstractType.name}" was resolved to a non-object type "${name}".`, { nodes: field.fieldNodes });
  }
  if (!field.schema.isSubType(abstractType, runtimeType)) {
    throw new GraphQLError(`Runtime Object type "${runtimeType.name}" is not a possible type for "${abstractType.name}".`, {
      nodes: field.fieldNodes,
    });
  }
  return runtimeType;
}

export function invalidReturnTypeError(type: GraphQLObjectType, value: unknown, field: FieldContext): GraphQLError {
  return new GraphQLError(`Expected value of type "${type.name}" but got: ${inspect(value)}.`, { nodes: field.fieldNodes });
}

/**
 * The concrete type of each entry of an abstract field, from the name its type step gave: checked as
 * graphql-js checks it (the type exists, is an object type, is possible), then the type's `isTypeOf`.
 * Its value is the type name, or the error graphql-js raises. Serves resolveType and plan types alike.
 */
export class RuntimeTypeStep extends Step<unknown> {
  static override readonly stepName = "RuntimeType";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  override isAsync = true;

  /**
   * Never global: graphql-js calls the type checks once per value, with that value's path in `info`, so a
   * value that is the same for every entry (a global step's) is still checked per entry.
   */
  override canBeGlobal(): boolean {
    return false;
  }
  constructor(
    $value: Step,
    $typeName: Step,
    readonly abstractType: GraphQLAbstractType,
    readonly field: FieldContext,
  ) {
    super();
    this.addDependency($value);
    this.addDependency($typeName);
  }

  /** The step naming each entry's type (resolveType emulation or a plan's type step). */
  get $typeName(): Step {
    return this.getDependency(1);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const items = values[0] as readonly unknown[];
    const names = values[1] as readonly unknown[];
    let entryPaths: ReadonlyArray<Path | undefined> | null = null;
    const out = new Array<unknown>(count);
    // The entries of a batch are mostly of one type: its selection error is looked up once per run of it.
    let lastType: GraphQLObjectType | null = null;
    let selection: { readonly error: unknown } | null = null;
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = null;
        continue;
      }
      try {
        const type = ensureValidRuntimeType(names[i], this.abstractType, this.field, value);
        if (type !== lastType) {
          lastType = type;
          selection = selectionErrorAt(this, this.field, type, request.variableValues as Record<string, unknown>);
        }
        // graphql-js 16 collects the type's sub-fields before its isTypeOf, 17 once isTypeOf held (graphqlAdapter).
        if (selection !== null && (COLLECTS_SUBFIELDS_BEFORE_IS_TYPE_OF || !type.isTypeOf)) {
          out[i] = fail(selection.error);
          continue;
        }
        if (!type.isTypeOf) {
          out[i] = type.name;
          continue;
        }
        entryPaths ??= (details as ResolverExecutionDetails).entryPaths();
        const ok = type.isTypeOf(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]));
        const held = selection === null ? type.name : fail(selection.error);
        out[i] = isPromiseLike(ok)
          ? Promise.resolve(ok).then((r) => (r ? held : fail(invalidReturnTypeError(type, value, this.field))))
          : ok
            ? held
            : fail(invalidReturnTypeError(type, value, this.field));
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return this.abstractType.name;
  }
}
