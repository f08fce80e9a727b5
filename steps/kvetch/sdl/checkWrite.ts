// checkWrite(rule, $args): the validation in front of a generated create/update/delete mutation. For the
// whole layer it builds each entry's data from the mutation's arguments, checks required attributes, and
// checks every id it names (the object written, stored ids of other objects) with one getObjects call:
// each must exist and be of the right type. A failing entry is a field error (a GraphQLError: its message is
// meant for clients, servers do not mask it) and its write step never runs.

import { GraphQLError } from "graphql";
import { Step, fail, type ExecutionDetails, type FlaggedValue } from "../../../src/index.js";
import { isUuid, type KvetchObject } from "../../../src/kvetch/index.js";
import { kvetchStore, requireStore } from "../kvetchStore.js";

/** What a generated mutation checks, fixed when the schema is built. */
export interface WriteRule {
  /** The mutation field, for messages. */
  readonly field: string;
  readonly mode: "create" | "update" | "delete";
  /** The object type created, updated or deleted. */
  readonly type: string;
  /** The argument holding the object's id (update, delete). */
  readonly idArg: string | null;
  /** An input-object argument whose fields are attributes. */
  readonly inputArg: string | null;
  /** The argument holding the version an update expects (`ifVersion: Int`), or null when it has none. */
  readonly versionArg: string | null;
  /** The other arguments, each an attribute of the same name. */
  readonly attrArgs: readonly string[];
  /** Attributes never written as null (their fields are non-null), `@default` or not. */
  readonly nonNull: ReadonlySet<string>;
  /** Attributes a create must be given (non-null, no `@default`). */
  readonly required: ReadonlySet<string>;
  /** Attributes holding another object's id → that object's type. */
  readonly storedIds: ReadonlyMap<string, string>;
  /** Values a create gives attributes it was not given. */
  readonly defaults: ReadonlyMap<string, unknown>;
}

/** A client's own bad argument to a generated mutation. */
const BAD_INPUT = { extensions: { code: "BAD_USER_INPUT" } } as const;

/** Why an id an entry names does not hold, with the code clients branch on. */
interface ReferenceProblem {
  code: "NOT_FOUND" | "WRONG_TYPE";
  message: string;
}

/** Each entry's checked write: the object id (update, delete) and the data or patch. */
export interface CheckedWrite {
  id: string | null;
  data: Record<string, unknown>;
}

export class CheckWriteStep extends Step<CheckedWrite> {
  override isAsync = true;

  constructor(
    readonly rule: WriteRule,
    $args: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($args);
    this.addGlobalDependency($store);
  }

  execute({ count, values: [argsList, storeValue] }: ExecutionDetails<[readonly Record<string, unknown>[], unknown]>) {
    const out = new Array<CheckedWrite | FlaggedValue>(count);
    const ids = new Set<string>();
    for (let i = 0; i < count; i++) {
      try {
        const write = this.writeOf(argsList[i]!);
        out[i] = write;
        if (write.id !== null) ids.add(write.id);
        for (const attr of this.rule.storedIds.keys()) {
          const value = own(write.data, attr);
          if (value != null) ids.add(value as string);
        }
      } catch (error) {
        out[i] = fail(error);
      }
    }
    if (ids.size === 0) return out;
    const distinct = [...ids];
    return requireStore(storeValue, this)
      .getObjects(distinct)
      .then((objects) => {
        const byId = new Map<string, KvetchObject | null>();
        for (let k = 0; k < distinct.length; k++) byId.set(distinct[k]!, objects[k] ?? null);
        for (let i = 0; i < count; i++) {
          const write = out[i];
          if (write === undefined || !("data" in (write as object))) continue;
          const problem = this.referenceProblem(write as CheckedWrite, byId);
          if (problem !== null) out[i] = fail(new GraphQLError(`${this.rule.field}: ${problem.message}`, { extensions: { code: problem.code } }));
        }
        return out;
      });
  }

  /** The entry's id and data from its arguments, or a throw saying what is missing or malformed. */
  private writeOf(args: Record<string, unknown>): CheckedWrite {
    const rule = this.rule;
    const data: Record<string, unknown> = {};
    // Own keys only, here and below: an attribute or argument may be named like an Object.prototype member.
    for (const name of rule.attrArgs) if (own(args, name) !== undefined) data[name] = args[name];
    const input = rule.inputArg === null ? null : (own(args, rule.inputArg) as Record<string, unknown> | null | undefined);
    if (input != null) for (const name of Object.keys(input)) if (input[name] !== undefined) data[name] = input[name];
    if (rule.mode === "create") for (const [name, value] of rule.defaults) if (own(data, name) === undefined) data[name] = value;
    // An explicit null is not "not given": a @default fills only absent attributes, and never null.
    for (const name of rule.nonNull) {
      if (own(data, name) === null) throw new GraphQLError(`${rule.field}: ${name} cannot be null (${rule.type}.${name} is non-null).`, BAD_INPUT);
    }
    if (rule.mode === "create") {
      for (const name of rule.required) {
        if (own(data, name) === undefined) throw new GraphQLError(`${rule.field}: ${name} is required (${rule.type}.${name} is non-null).`, BAD_INPUT);
      }
    }
    const id = rule.idArg === null ? null : (own(args, rule.idArg) as string | null | undefined);
    if (rule.idArg !== null && (typeof id !== "string" || !isUuid(id))) throw new GraphQLError(`${rule.field}: ${rule.idArg} ${JSON.stringify(id ?? null)} is not an object id.`, BAD_INPUT);
    for (const attr of rule.storedIds.keys()) {
      const value = own(data, attr);
      if (value != null && !isUuid(value)) throw new GraphQLError(`${rule.field}: ${attr} ${JSON.stringify(value)} is not an object id.`, BAD_INPUT);
      if (value != null) data[attr] = (value as string).toLowerCase();
    }
    return { id: typeof id === "string" ? id.toLowerCase() : null, data };
  }

  /** Why an entry's ids do not hold (a missing object: NOT_FOUND, one of another type: WRONG_TYPE), or null. */
  private referenceProblem(write: CheckedWrite, byId: ReadonlyMap<string, KvetchObject | null>): ReferenceProblem | null {
    const rule = this.rule;
    const check = (name: string, id: string, type: string): ReferenceProblem | null => {
      const object = byId.get(id) ?? null;
      if (object === null) return { code: "NOT_FOUND", message: `${name} "${id}" names no ${type}.` };
      return object.type === type ? null : { code: "WRONG_TYPE", message: `${name} "${id}" is of type ${object.type}, not ${type}.` };
    };
    if (write.id !== null) {
      const problem = check(rule.idArg!, write.id, rule.type);
      if (problem !== null) return problem;
    }
    for (const [attr, type] of rule.storedIds) {
      const value = own(write.data, attr);
      if (value == null) continue;
      const problem = check(attr, value as string, type);
      if (problem !== null) return problem;
    }
    return null;
  }

  override toStringMeta(): string {
    return `${this.rule.field}: ${this.rule.mode} ${this.rule.type}`;
  }
}

/** spec: CheckWrite — the checked writes of a generated mutation: one getObjects call per layer for every id the arguments name. */
export function checkWrite(rule: WriteRule, $args: Step, $store: Step = kvetchStore()): CheckWriteStep {
  return new CheckWriteStep(rule, $args, $store);
}

/** The object's own property `key` (undefined when it has none, whatever its prototype holds). */
function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
