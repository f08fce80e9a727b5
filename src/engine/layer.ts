// Layer: a set of entries that steps execute over together. The root layer has one entry; list items,
// non-null object values, each concrete type of an abstract value and each mutation field open their own.
// A layer is a plan-time object; its per-request entries live in a Bucket (see executeBucket.ts).

import type { Step } from "./step.js";
import type { OperationPlan } from "./operationPlan.js";

export type { OperationPlan };

export type LayerReason =
  | { readonly type: "root" }
  /** One entry per item of the lists that `listStep` yields, across all parent entries. */
  | { type: "listItem"; listStep: Step; readonly responseKey: string | null }
  /** The parent entries where `parentStep` is non-null and carries no flag. */
  | { type: "nullableBoundary"; parentStep: Step; readonly responseKey: string }
  /** The parent entries whose `typeStep` names `typeName`. */
  | { type: "polymorphic"; parentStep: Step; typeStep: Step; readonly typeName: string; readonly responseKey: string }
  /** One root mutation field; these run one after another. */
  | { readonly type: "mutationField"; readonly responseKey: string }
  /** One event of a subscription: the root value is the event. */
  | { readonly type: "subscriptionEvent" };

export class Layer {
  readonly id: number;
  readonly children: Layer[] = [];
  /** Steps executing in this layer, in dependency order once planning is done. */
  steps: Step[] = [];
  /** For list layers: the step whose values are the list items (set by the engine). */
  itemStep: Step | null = null;
  /** The parent object type's name for the response path of this layer's entries (graphql-js `path.typename`). */
  pathTypename: string | undefined = undefined;
  /** List layers of resolver fields: an Error item is a field error at that item, as in graphql-js. */
  errorValuesAreErrors = false;
  readonly depth: number;

  constructor(
    readonly operationPlan: OperationPlan,
    readonly reason: LayerReason,
    readonly parent: Layer | null,
  ) {
    this.id = operationPlan.layers.length;
    operationPlan.layers.push(this);
    this.depth = parent ? parent.depth + 1 : 0;
    if (parent) parent.children.push(this);
  }

  /** Whether `other` is this layer or one of its ancestors. */
  hasAncestorOrSelf(other: Layer): boolean {
    for (let l: Layer | null = this; l !== null; l = l.parent) if (l === other) return true;
    return false;
  }

  /** The mutation field layer this layer belongs to, if any (globals hoist no further than it). */
  hoistTarget(): Layer {
    let target: Layer = this;
    for (let l: Layer | null = this; l !== null; l = l.parent) {
      target = l;
      if (l.reason.type === "mutationField") return l;
    }
    return target;
  }

  toString(): string {
    const r = this.reason;
    switch (r.type) {
      case "root":
        return `Layer ${this.id} (root)`;
      case "listItem":
        return `Layer ${this.id} (list items of ${r.listStep})`;
      case "nullableBoundary":
        return `Layer ${this.id} (${r.responseKey}: non-null ${r.parentStep})`;
      case "polymorphic":
        return `Layer ${this.id} (${r.responseKey}: ${r.typeName})`;
      case "mutationField":
        return `Layer ${this.id} (mutation field ${r.responseKey})`;
      case "subscriptionEvent":
        return `Layer ${this.id} (subscription event)`;
    }
  }
}
