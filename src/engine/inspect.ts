// inspect(value): formats a value for error messages exactly as graphql-js does, so the messages of
// resolver emulation (e.g. `Expected value of type "Dog" but got: { name: "Rex" }.`) match graphql-js's.

const MAX_ITEMS = 10;
const MAX_DEPTH = 2;

export function inspect(value: unknown): string {
  return formatValue(value, []);
}

function formatValue(value: unknown, seen: readonly unknown[]): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return value.name ? `[function ${value.name}]` : "[function]";
  if (typeof value === "object") return formatObjectValue(value, seen);
  return String(value);
}

function formatObjectValue(value: object | null, previouslySeen: readonly unknown[]): string {
  if (value === null) return "null";
  if (previouslySeen.includes(value)) return "[Circular]";
  const seen = [...previouslySeen, value];
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const json: unknown = toJSON.call(value);
    if (json !== value) return typeof json === "string" ? json : formatValue(json, seen);
  } else if (Array.isArray(value)) {
    return formatArray(value, seen);
  }
  return formatObject(value, seen);
}

function formatObject(object: object, seen: readonly unknown[]): string {
  const entries = Object.entries(object);
  if (entries.length === 0) return "{}";
  if (seen.length > MAX_DEPTH) return "[" + objectTag(object) + "]";
  return "{ " + entries.map(([key, v]) => key + ": " + formatValue(v, seen)).join(", ") + " }";
}

function formatArray(array: readonly unknown[], seen: readonly unknown[]): string {
  if (array.length === 0) return "[]";
  if (seen.length > MAX_DEPTH) return "[Array]";
  const shown = Math.min(MAX_ITEMS, array.length);
  const rest = array.length - shown;
  const items: string[] = [];
  for (let i = 0; i < shown; i++) items.push(formatValue(array[i], seen));
  if (rest === 1) items.push("... 1 more item");
  else if (rest > 1) items.push(`... ${rest} more items`);
  return "[" + items.join(", ") + "]";
}

function objectTag(object: object): string {
  const tag = Object.prototype.toString.call(object).replace(/^\[object /, "").replace(/]$/, "");
  if (tag === "Object" && typeof object.constructor === "function") {
    const name = object.constructor.name;
    if (typeof name === "string" && name !== "") return name;
  }
  return tag;
}
