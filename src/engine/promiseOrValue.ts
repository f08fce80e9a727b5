// The two value checks the engine makes everywhere (is it a promise? is it a list-like iterable?), defined
// once. Cheap structural checks only: never awaits, never iterates.

export type PromiseOrValue<T> = T | Promise<T>;

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

export function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
