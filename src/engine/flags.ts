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
