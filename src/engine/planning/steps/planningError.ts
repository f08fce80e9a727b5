// PlanningErrorStep: stands for a field whose plan resolver threw or returned something other than a step;
// every entry of the field is that error. Planning never fails a whole operation for one field.

import { Step, type ExecutionDetails } from "../../step.js";
import { fail } from "../../flags.js";
import { registerStepClass } from "../../stepRegistry.js";

/** A field whose plan resolver failed: every entry of the field is that error. */
export class PlanningErrorStep extends Step<never> {
  static override readonly stepName = "PlanningError";
  static {
    registerStepClass(this);
  }
  constructor(readonly error: unknown) {
    super();
  }
  execute({ count }: ExecutionDetails) {
    return new Array(count).fill(fail(this.error));
  }
  override toStringMeta(): string {
    return String((this.error as Error)?.message ?? this.error).slice(0, 40);
  }
}
