// How a step factory names a bad argument in its plan-time error (`lambda(…, "nope")`: `"nope" (string)`).

import { Step } from "../src/index.js";

/** Short rendering of a bad argument given to a step factory, for its plan-time error message. */
export function describeArgument(value: unknown): string {
  if (typeof value === "string") return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)} (string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${String(value)} (${typeof value})`;
  if (typeof value === "function") return "a function";
  if (value instanceof Step) return `the step ${String(value)}`;
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value;
}
