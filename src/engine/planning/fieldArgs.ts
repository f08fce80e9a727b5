// FieldArgs: what a plan resolver receives as `args`. `args.get("name")` is a step for the coerced
// argument value (literal, variable, nested input, default applied). Arguments never vary per entry,
// so every argument step is global: it runs once per request, never once per entry.

import { Kind, type FieldNode, type GraphQLField, type ValueNode } from "graphql";
import { Step, type ExecutionDetails, type StepValue } from "../step.js";
import { constant, ConstantStep } from "./steps/constant.js";
import { registerStepClass } from "../stepRegistry.js";
import { fastArguments } from "./fastArguments.js";
import { argumentValues } from "./graphqlAdapter.js";

/** Coerces a field's arguments from the request's variables, once per request. */
class FieldArgumentsStep extends Step<Record<string, unknown>> {
  static override readonly stepName = "FieldArguments";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  constructor(
    readonly fieldDef: GraphQLField<unknown, unknown>,
    readonly fieldNode: FieldNode,
  ) {
    super();
  }

  execute({ request }: ExecutionDetails): ReadonlyArray<Record<string, unknown>> {
    // Plain variables are taken as they are (FastArguments); else graphql-js's own coercion, which throws its
    // own errors (the engine turns a throw into an error at the field's path).
    const variables = request.variableValues as Record<string, unknown>;
    return [fastArguments(this.fieldDef, this.fieldNode, variables) ?? argumentValues(this.fieldDef, this.fieldNode, variables)];
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof FieldArgumentsStep && p.fieldDef === this.fieldDef && p.fieldNode === this.fieldNode);
  }

  override deduplicationKey(): unknown {
    return this.fieldNode;
  }

  override toStringMeta(): string {
    return this.fieldDef.name;
  }
}

function hasVariables(node: ValueNode): boolean {
  switch (node.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return node.values.some(hasVariables);
    case Kind.OBJECT:
      return node.fields.some((f) => hasVariables(f.value));
    default:
      return false;
  }
}

/** The argument names `args.get` accepts: the declared ones, or any name when the arguments are not typed. */
export type ArgName<TArgs> = 0 extends 1 & TArgs ? string : unknown extends TArgs ? string : keyof TArgs & string;

export class FieldArgs<TArgs = any> {
  private $all: Step | null = null;

  constructor(
    readonly fieldDef: GraphQLField<unknown, unknown>,
    readonly fieldNode: FieldNode,
  ) {}

  /** A step for all the field's coerced arguments as one object. */
  getAll(): Step {
    if (this.$all === null) {
      const dynamic = (this.fieldNode.arguments ?? []).some((a) => hasVariables(a.value));
      this.$all = dynamic
        ? new FieldArgumentsStep(this.fieldDef, this.fieldNode)
        : constant(argumentValues(this.fieldDef, this.fieldNode, {}));
    }
    return this.$all;
  }

  /**
   * A step for one argument's coerced value, or a path into a nested input (`["filter", "name"]`). With
   * typed arguments (`FieldArgs<{ id: string }>`, from `graphscale typegen`), only declared names compile.
   */
  get<K extends ArgName<TArgs>>(name: K | readonly [K, ...Array<string | number>]): Step<StepValue<TArgs, K>>;
  get(name: string | ReadonlyArray<string | number>): Step {
    const path = typeof name === "string" ? [name] : name;
    const argName = path[0];
    if (typeof argName !== "string" || !this.fieldDef.args.some((a) => a.name === argName)) {
      const known = this.fieldDef.args.map((a) => a.name).join(", ") || "none";
      throw new Error(`graphscale: field "${this.fieldDef.name}" has no argument "${String(argName)}" (arguments: ${known}).`);
    }
    const $all = this.getAll();
    // Literal arguments are known when planning: the value itself is the step, not a read of it per request.
    if ($all instanceof ConstantStep) return constant(valueAt($all.value, path));
    return $all.get(path);
  }
}

/** The value at `path` in coerced argument values (plain data), undefined where the path runs out. */
function valueAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = value;
  for (let k = 0; k < path.length && v != null; k++) v = (v as Record<string | number, unknown>)[path[k]!];
  return v;
}
