// IsTypeOfStep: an object type with `isTypeOf` checks each entry's value as graphql-js checks it; the value
// passes through unchanged or becomes graphql-js's "Expected value of type" error. Called per entry.

import type { GraphQLObjectType } from "graphql";
import { Step, type ExecutionDetails } from "../step.js";
import { fail } from "../flags.js";
import { isPromiseLike } from "../promiseOrValue.js";
import { buildResolveInfo, type FieldContext, type ResolverExecutionDetails } from "../resolveInfo.js";
import { invalidReturnTypeError } from "./runtimeType.js";
import { registerStepClass } from "../planExport/registry.js";

/** An object type with `isTypeOf`: each entry's value is checked as graphql-js checks it. */
export class IsTypeOfStep extends Step<unknown> {
  static override readonly stepName = "IsTypeOf";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
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
    const isTypeOf = this.type.isTypeOf!;
    const entryPaths = (details as ResolverExecutionDetails).entryPaths();
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const value = items[i];
      if (value == null) {
        out[i] = value;
        continue;
      }
      try {
        const ok = isTypeOf(value, request.contextValue, buildResolveInfo(this.field, request, entryPaths[i]));
        out[i] = isPromiseLike(ok)
          ? Promise.resolve(ok).then((r) => (r ? value : fail(invalidReturnTypeError(this.type, value, this.field))))
          : ok
            ? value
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
