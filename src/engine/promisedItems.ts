// Which values of resolver emulation were promises before they were settled, so the output completes them
// in graphql-js's order: the promised items of a settled list, and the promises that stand only for a
// list's items (not a promise the resolver returned). Weak maps keyed by the values; never holds data alive.

/** Which items of a settled list were promises, by list (see `settleResolvedValue`). */
const promisedItems = new WeakMap<readonly unknown[], Uint8Array>();

/** The items of `list` that a resolver returned as promises (1) and those it returned as values (0). */
export function promisedItemsOf(list: readonly unknown[]): Uint8Array | undefined {
  return promisedItems.get(list);
}

/** Records which items of `list` were promises before they were settled. */
export function recordPromisedItems(list: readonly unknown[], promised: Uint8Array): void {
  promisedItems.set(list, promised);
}

/**
 * Promises standing for a list the resolver returned as a list, pending only on its items: the value
 * itself was not a promise, so the output must not complete it as one (only its items).
 */
const itemSettlements = new WeakSet<PromiseLike<unknown>>();

/** Whether `value` is a list's item settlement rather than a promise the resolver returned. */
export function isItemSettlement(value: PromiseLike<unknown>): boolean {
  return itemSettlements.has(value);
}

/** Records that `settled` stands for a list's items only. */
export function recordItemSettlement(settled: PromiseLike<unknown>): void {
  itemSettlements.add(settled);
}
