// Which step classes and functions a plan may name when it is exported: a step is written as its class's
// registered kind and a callback as its registered name, so another process finds the same code by name.
// Never stores a step or a plan; never registers anything by itself beyond the engine's own AccessStep.

import { SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef, isInterfaceType, isObjectType, isScalarType, isUnionType, type GraphQLSchema } from "graphql";
import { AccessStep, type Step } from "./step.js";

/** A step class as the registry keeps it: anything constructible with a static `stepName`. */
export type StepClass = abstract new (...args: any[]) => Step;

const stepClasses = new Map<string, StepClass>();
const kindOfClass = new WeakMap<Function, string>();

/** Classes registered but not yet named: a class's static fields may be set after its static blocks run. */
const pending: Array<{ stepClass: StepClass; kind: string | undefined }> = [];

/**
 * Makes a step class importable under `kind` (default: its static `stepName`). Step classes call it from a
 * static block (`static { registerStepClass(this); }`); a class registered twice under one kind is an error
 * (reported when plans are next exported or imported).
 */
export function registerStepClass(stepClass: StepClass, kind?: string): void {
  pending.push({ stepClass, kind });
}

function settle(): void {
  while (pending.length > 0) {
    const { stepClass, kind } = pending.shift()!;
    const name = kind ?? (Object.hasOwn(stepClass, "stepName") ? (stepClass as unknown as { stepName: string }).stepName : undefined);
    if (typeof name !== "string" || name === "") {
      throw new Error(`graphscale: registerStepClass(${stepClass.name}) needs a kind: give the class a static stepName or pass a kind.`);
    }
    const known = stepClasses.get(name);
    if (known !== undefined && known !== stepClass) {
      throw new Error(`graphscale: two step classes are registered as "${name}" (${known.name} and ${stepClass.name}); pass a distinct kind to registerStepClass.`);
    }
    stepClasses.set(name, stepClass);
    kindOfClass.set(stepClass, name);
  }
}

registerStepClass(AccessStep);

/** The registered kind of a step's class, or null when the class was never registered. */
export function stepKindOf(step: Step): string | null {
  if (pending.length > 0) settle();
  // The class from the prototype: an imported step's own field could be named `constructor`.
  return kindOfClass.get(Object.getPrototypeOf(step)?.constructor) ?? null;
}

export function stepClassOf(kind: string): StepClass | undefined {
  if (pending.length > 0) settle();
  return stepClasses.get(kind);
}

/** The functions a schema's plans may hold, by name: `makeSchema({ functions })` and the schema's own callbacks. */
export interface SchemaFunctions {
  readonly byName: ReadonlyMap<string, Function>;
  readonly nameOf: ReadonlyMap<Function, string>;
}

const functionsBySchema = new WeakMap<GraphQLSchema, SchemaFunctions>();

/**
 * The named functions of a schema: the registered ones (`makeSchema({ functions })`, by their names) and the
 * callbacks the schema itself holds — resolvers, `resolveType`, `isTypeOf`, scalar functions (by
 * `Type.field.resolve` and the like), so resolver-emulation steps export too.
 */
export function schemaFunctions(schema: GraphQLSchema): SchemaFunctions {
  let known = functionsBySchema.get(schema);
  if (known !== undefined) return known;
  const byName = new Map<string, Function>();
  const nameOf = new Map<Function, string>();
  const add = (name: string, fn: unknown): void => {
    if (typeof fn !== "function" || nameOf.has(fn)) return;
    byName.set(name, fn);
    nameOf.set(fn, name);
  };
  const registered = (schema.extensions?.graphscale as { functions?: { readonly [name: string]: Function } } | undefined)?.functions ?? {};
  for (const name of Object.keys(registered).sort()) add(name, registered[name]);
  // The meta fields' resolvers (introspection's __schema and __type, and __typename) belong to every schema.
  for (const meta of [SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef]) add(`${meta.name}.resolve`, meta.resolve);
  const typeMap = schema.getTypeMap();
  for (const typeName of Object.keys(typeMap).sort()) {
    const type = typeMap[typeName]!;
    if (isObjectType(type) || isInterfaceType(type)) {
      if (isObjectType(type)) add(`${typeName}.isTypeOf`, type.isTypeOf);
      else add(`${typeName}.resolveType`, type.resolveType);
      const fields = type.getFields();
      for (const fieldName of Object.keys(fields)) {
        add(`${typeName}.${fieldName}.resolve`, fields[fieldName]!.resolve);
        add(`${typeName}.${fieldName}.subscribe`, fields[fieldName]!.subscribe);
      }
    } else if (isUnionType(type)) add(`${typeName}.resolveType`, type.resolveType);
    else if (isScalarType(type)) for (const fn of ["serialize", "parseValue", "parseLiteral"] as const) add(`${typeName}.${fn}`, type[fn]);
  }
  functionsBySchema.set(schema, (known = { byName, nameOf }));
  return known;
}
