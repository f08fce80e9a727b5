// The plan JSON format: what `explain` yields as `json`, field for field as spec/explain.md gives it.
// Types only: never code, and never a type from the planner, so a reader of the JSON needs nothing else.

export interface PlanJSON {
  readonly operation: { readonly type: "query" | "mutation" | "subscription"; readonly name: string | null };
  /** Decisions taken from variable values (@skip/@include); the plan serves only requests where they hold. */
  readonly constraints: ReadonlyArray<{ readonly name: string; readonly value: unknown }>;
  readonly layers: readonly LayerJSON[];
  /** Live steps by ascending id; ids are the plan's own, so they have gaps where steps were removed. */
  readonly steps: readonly StepJSON[];
  /** Steps the diagram draws as one node (see spec/explain.md, CollapseSteps). */
  readonly collapsed: readonly CollapsedNodeJSON[];
  readonly output: OutputSelectionJSON;
  /** Whether exportPlan can write this plan (spec/plan-export.md). */
  readonly exportable: boolean;
  /** Only when the plan is not exportable: what prevented it, and the step it names (null for no step). */
  readonly exportBlocker?: ExportBlockerJSON;
}

export interface ExportBlockerJSON {
  /** exportBlocker's text: "Lambda[3].fn holds the function (anonymous) is not registered (…)". */
  readonly message: string;
  /** The id of the step the text opens with, or null when it names a layer, a constraint or the output plan. */
  readonly step: number | null;
}

export type LayerReasonType = "root" | "listItem" | "nullableBoundary" | "polymorphic" | "mutationField" | "deferred";

export interface LayerJSON {
  readonly id: number;
  readonly reason: LayerReasonType;
  /** "Layer 2: list items of Load[9] at user.lists[]" — the Mermaid subgraph title. */
  readonly title: string;
  readonly parent: number | null;
  readonly responseKey: string | null;
  /** Response path of this layer's entries, `[]` marking list items ("" for the root layer). */
  readonly path: string;
  /** listItem: the list step; nullableBoundary and polymorphic: the parent step. */
  readonly listStep?: number;
  readonly parentStep?: number;
  /** polymorphic: the step naming each entry's type, and the type this layer holds. */
  readonly typeStep?: number;
  readonly typeName?: string;
  /** listItem: the step whose values are the items. */
  readonly itemStep?: number;
  /** Step ids in execution order (dependencies first). */
  readonly steps: readonly number[];
}

export type FlagName = "null" | "error" | "inhibited";

export interface DependencyJSON {
  readonly step: number;
  /** Handed over as a bare value rather than a list. */
  readonly global: boolean;
  /** Flags this dependency lets through to `execute` (the default is ["null"]). */
  readonly acceptFlags: readonly FlagName[];
}

export interface StepJSON {
  readonly id: number;
  /** The class name without "Step": "Load", "Access". */
  readonly class: string;
  /** `explainMeta()` if the step has one, else `toStringMeta()`. */
  readonly meta: string | null;
  readonly layer: number;
  readonly dependencies: readonly DependencyJSON[];
  readonly global: boolean;
  readonly async: boolean;
  readonly sideEffects: boolean;
  readonly optimizations: readonly string[];
}

export interface CollapsedNodeJSON {
  /** The Mermaid node id. */
  readonly node: string;
  readonly class: string;
  readonly layer: number;
  readonly steps: readonly number[];
  /** "Access ×3 (id, text, done)" */
  readonly label: string;
}

export interface OutputSelectionJSON {
  readonly type: string;
  readonly fields: { readonly [responseKey: string]: OutputValueJSON };
}

export type OutputValueJSON =
  | { readonly kind: "typename" }
  | { readonly kind: "leaf"; readonly step: number; readonly nonNull: boolean; readonly type: string }
  | { readonly kind: "leafList"; readonly step: number; readonly nonNull: boolean }
  | { readonly kind: "list"; readonly step: number; readonly nonNull: boolean; readonly layer: number; readonly item: OutputValueJSON }
  | { readonly kind: "object"; readonly step: number; readonly nonNull: boolean; readonly layer: number; readonly selection: OutputSelectionJSON }
  | {
      readonly kind: "abstract";
      readonly step: number;
      readonly nonNull: boolean;
      readonly typeStep: number;
      readonly types: { readonly [typeName: string]: { readonly layer: number; readonly selection: OutputSelectionJSON } };
      /** Possible types whose branch is not planned yet (partial planning): planned when one first arrives. */
      readonly unplanned?: readonly string[];
    };
