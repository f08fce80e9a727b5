// Partial planning of abstract types (spec/planning.md, "Partial planning"): an abstract output position
// keeps what planning one concrete type's branch needs, and the branch is planned when an entry of that
// type first reaches it. Plain data only, so exported plans carry it; never plans anything itself.

import { Kind, visit, type ASTNode, type FieldNode } from "graphql";
import type { Layer } from "./layer.js";
import type { OutputSelection, OutputValue } from "./outputPlan.js";
import type { FieldContext } from "./resolveInfo.js";
import type { CollectContext } from "./collectFields.js";

/** What planning a branch of an abstract position later needs (what PlanValue had in hand). */
export interface UnplannedBranches {
  /** The layer the abstract value is in: each branch layer opens below it. */
  readonly layer: Layer;
  readonly field: FieldContext;
  readonly responseKey: string | null;
  readonly path: readonly string[];
  readonly resolverSemantics: boolean;
  /** The possible types not planned yet, in the schema's order. */
  unplanned: string[];
}

type AbstractValue = Extract<OutputValue, { kind: "abstract" }>;

/** An abstract output position; `branches` is present while some of its possible types are unplanned. */
export type PartialAbstractValue = AbstractValue & {
  byType: Map<string, { readonly layer: Layer; readonly selection: OutputSelection }>;
  branches?: UnplannedBranches;
};

/**
 * The variables every @skip/@include below `fieldNodes` reads (through fragment spreads too) become
 * constraints of the plan now, so a branch planned later decides exactly as it would have at planning
 * time: any request reusing the plan has the same values for them.
 */
export function recordBranchConstraints(ctx: CollectContext, fieldNodes: readonly FieldNode[]): void {
  const seen = new Set<string>();
  const record = (root: ASTNode): void => {
    visit(root, {
      Directive(node) {
        if (node.name.value !== "skip" && node.name.value !== "include") return;
        for (const arg of node.arguments ?? []) {
          if (arg.value.kind === Kind.VARIABLE) ctx.recordConstraint(arg.value.name.value, ctx.variableValues[arg.value.name.value]);
        }
      },
      FragmentSpread(node) {
        const fragment = ctx.fragments[node.name.value];
        if (fragment === undefined || seen.has(node.name.value)) return;
        seen.add(node.name.value);
        record(fragment);
      },
    });
  };
  for (const node of fieldNodes) if (node.selectionSet) record(node.selectionSet);
}
