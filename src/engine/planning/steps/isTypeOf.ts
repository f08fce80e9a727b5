// IsTypeOfStep: graphql-js's checks of an object value before its fields — its sub-fields can be collected
// (a @skip/@include whose `if` cannot be read fails it), then the type's `isTypeOf`, called per entry; the
// value passes through unchanged or becomes graphql-js's error.

import type { GraphQLObjectType } from "graphql";
import { Step, type ExecutionDetails } from "../../step.js";
import { fail } from "../../flags.js";
import { isPromiseLike } from "../../promiseOrValue.js";
import { buildResolveInfo, type FieldContext, type ResolverExecutionDetails } from "../resolveInfo.js";
import { invalidReturnTypeError } from "./runtimeType.js";
import { registerStepClass } from "../../stepRegistry.js";
import { selectionErrorAt } from "../collectFields.js";
import { COLLECTS_SUBFIELDS_BEFORE_IS_TYPE_OF } from "../graphqlAdapter.js";

/** An object type with `isTypeOf`, or whose selection cannot be collected: each entry's value is checked as graphql-js checks it. */
export class IsTypeOfStep extends Step<unknown> {
  static override readonly stepName = "IsTypeOf";
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
    readonly type: GraphQLObjectType,
    readonly field: FieldContext,
  ) {
    super();
    this.addDependency($value);
  }

  /** The field's value, before the check. */
  get $value(): Step {
    return this.getDependency(0);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const items = values[0] as readonly unknown[];
    const out = new Array<unknown>(count);
    // graphql-js collects the sub-fields of each object value before it calls isTypeOf.
    const selection = selectionErrorAt(this, this.field, this.type, request.variableValues as Record<string, unknown>);
    const isTypeOf = this.type.isTypeOf;
    if (!isTypeOf || (selection !== null && COLLECTS_SUBFIELDS_BEFORE_IS_TYPE_OF)) {
      for (let i = 0; i < count; i++) out[i] = items[i] == null || selection === null ? items[i] : fail(selection.error);
      return out;
    }
    const entryPaths = (details as ResolverExecutionDetails).entryPaths();
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = value;
        continue;
      }
      try {
        const ok = isTypeOf(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]));
        // graphql 17 collects the sub-fields once isTypeOf held (graphqlAdapter).
        const held = selection === null ? value : fail(selection.error);
        out[i] = isPromiseLike(ok)
          ? Promise.resolve(ok).then((r) => (r ? held : fail(invalidReturnTypeError(this.type, value, this.field))))
          : ok
            ? held
            : fail(invalidReturnTypeError(this.type, value, this.field));
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return this.type.name;
  }
}
