// The values of an exported plan's body: JSON with tagged arrays, and the errors of writing and reading it.

/**
 * A JSON value of an exported plan: plain data as it is, anything else an array opening with its tag
 * (so a plain array is tagged too and never mistaken for a reference).
 */
export type Encoded = null | boolean | number | string | Encoded[];

/** The tags of EncodeValue: the first element of every encoded array. */
export const Tag = {
  Array: 0,
  Object: 1,
  Step: 2,
  Layer: 3,
  Reason: 4,
  Function: 5,
  Type: 6,
  Schema: 7,
  Fragments: 8,
  Node: 9,
  Undefined: 10,
  Number: 11,
  Map: 12,
  Field: 13,
  Error: 14,
  /** An object without a prototype (graphql-js's argument and input objects): read back as one. */
  NullObject: 15,
} as const;

/** A key list, and optionally the positions (in it) of fields whose value every object of the shape shares, and those values. */
export type Shape = [keys: string[]] | [keys: string[], fixedAt: number[], fixed: Encoded[]] | [keys: string[], fixedAt: number[], fixed: Encoded[], singleAt: number[]];

/** Thrown when a value cannot be written: the message says what it is; the caller adds which step holds it. */
export class NotExportable extends Error {}

/** Thrown on anything an exported plan should not contain: the plan is then built again. */
export class BadPlan extends Error {}
