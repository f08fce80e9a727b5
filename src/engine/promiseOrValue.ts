// The two value checks the engine makes everywhere (is it a promise? is it a list-like iterable?), defined
// once. Cheap structural checks only: never awaits, never iterates.

export type PromiseOrValue<T> = T | Promise<T>;

/**
 * A promise or any thenable. Its `then` lookup sees every kind of value the engine checks, so V8 keeps one
 * slow, generic lookup for it; the few per-request sites that only ever see one kind (a step's result list,
 * a built response) write the same check out and keep a fast lookup of their own.
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

export function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
