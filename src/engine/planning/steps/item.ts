// ItemStep: the items of a list layer. Its values are set by the engine when the layer's entries are
// created (one per list item across all parents); it is never executed and never global.

import { EngineValueStep } from "../../step.js";
import type { ListItemReason } from "../layer.js";
import { registerStepClass } from "../../stepRegistry.js";

/** The items of a list layer: values set by the engine when the layer's entries are created. */
export class ItemStep extends EngineValueStep<unknown> {
  static override readonly stepName = "Item";
  static {
    registerStepClass(this);
  }
  constructor(
    /** The list layer's reason, which the planner keeps pointing at the list step after optimizations. */
    readonly listReason: ListItemReason,
  ) {
    super();
  }

  override toStringMeta(): string {
    return `of ${this.listReason.listStep.id}`;
  }
}
