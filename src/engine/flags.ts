// Flags: what an entry's value may carry besides data — null, an error (`fail(error)`) or "inhibited" (early
// exit). The executor drops entries whose flag a dependency does not accept; the output turns flags into
// null, [] or an error. Plain values, Error objects included, are data: only a FlaggedValue is a flag.

export const FLAG_NULL = 1;
export const FLAG_ERROR = 2;
export const FLAG_INHIBITED = 4;
export const FLAGS_NONE = 0;
export const FLAGS_ALL = FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED;

/** A flagged entry: an error (from `fail(error)` or a thrown execute) or "inhibited" (early exit). */
export class FlaggedValue {
  constructor(
    readonly flag: typeof FLAG_ERROR | typeof FLAG_INHIBITED,
    readonly error: unknown,
  ) {}
}

/** The value for an inhibited entry: it becomes `null` in the response unless trapped. */
export const INHIBITED = new FlaggedValue(FLAG_INHIBITED, undefined);

/** An inhibited entry whose list field answers `[]` rather than `null` (exitIf/trap with "emptyList"). */
export const INHIBITED_AS_EMPTY_LIST = new FlaggedValue(FLAG_INHIBITED, undefined);

/**
 * The last item of a resolver's list whose iterable threw after the items before it: not an item but the
 * list's own error, which the output raises once it has completed those items (as graphql-js completes the
 * items it read before the throw). Executed as an item, it is a failed entry like any other.
 */
export class ListIterationError extends FlaggedValue {
  constructor(error: unknown) {
    super(FLAG_ERROR, error);
  }
}

/** How many of a list's values are items: all but a last `ListIterationError`. */
export function itemCountOf(list: readonly unknown[]): number {
  const n = list.length;
  return n > 0 && list[n - 1] instanceof ListIterationError ? n - 1 : n;
}

/** Marks one entry of a step's result as failed; the error lands at that entry's field path. */
export function fail(error: unknown): FlaggedValue {
  return new FlaggedValue(FLAG_ERROR, error);
}

export function isFlagged(value: unknown): value is FlaggedValue {
  return value instanceof FlaggedValue;
}

/** The flag an entry's value carries (FLAGS_NONE for ordinary data). */
export function flagOf(value: unknown): number {
  if (value == null) return FLAG_NULL;
  if (value instanceof FlaggedValue) return value.flag;
  return FLAGS_NONE;
}

/** The flags present in a list of results (an OR of FLAG_*), so clean batches skip the early-exit scan. */
export function flagsOf(results: readonly unknown[]): number {
  let flags = 0;
  for (let i = 0; i < results.length; i++) {
    const v = results[i];
    if (v == null) flags |= FLAG_NULL;
    else if (v instanceof FlaggedValue) flags |= v.flag;
  }
  return flags;
}
