// graphql-js 17's incremental payloads rewritten in the 2022 shape a client asks for with
// `Accept: multipart/mixed; deferSpec=20220824` (graphql-js 17.0.0-alpha.2's: no `pending`/`completed`
// ids; each deferred result carries its `path` and `label`, each streamed batch the path of its first item).
// A client merging every payload at its path ends with the same data as from the original payloads; a
// fragment whose fields were already sent is not sent again (the 2022 servers repeated them).

import type { ExecutionResult } from "graphql";
import type { SubsequentPayload } from "./incremental.js";

type Path = readonly (string | number)[];

interface LegacyEntry {
  data?: Record<string, unknown> | null;
  items?: readonly unknown[] | null;
  path: Path;
  label?: string;
  errors?: readonly unknown[];
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) value = (value as Record<string | number, unknown> | null | undefined)?.[key];
  return value;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing !== null && typeof existing === "object" && !Array.isArray(existing) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      mergeInto(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

/** The same payloads in the 2022 shape; keeps the merged data only to number streamed items. */
export async function* legacyPayloads(payloads: AsyncIterable<ExecutionResult | SubsequentPayload>): AsyncGenerator<object, void, void> {
  const pending = new Map<string, { path: Path; label?: string }>();
  // The merged data, whose lists say where each stream's next items start (copied: the originals are not changed).
  let data: Record<string, unknown> | null = null;
  let first = true;
  for await (const payload of payloads) {
    if (first) {
      first = false;
      const { pending: announced = [], hasNext, ...rest } = payload as { pending?: SubsequentPayload["pending"]; hasNext: boolean; data?: unknown; errors?: unknown; extensions?: unknown };
      for (const p of announced) pending.set(p.id, p);
      data = rest.data == null ? null : structuredClone(rest.data as Record<string, unknown>);
      yield { ...rest, hasNext };
      continue;
    }
    const { pending: announced = [], incremental = [], completed = [], hasNext, extensions } = payload as SubsequentPayload;
    const entries: LegacyEntry[] = [];
    for (const entry of incremental) {
      const at = pending.get(entry.id)!;
      if (entry.items !== undefined) {
        const list = valueAt(data, at.path) as unknown[];
        entries.push(withLabel({ items: entry.items, path: [...at.path, list.length], ...(entry.errors ? { errors: entry.errors } : {}) }, at.label));
        list.push(...structuredClone(entry.items));
      } else {
        const path = [...at.path, ...(entry.subPath ?? [])];
        entries.push(withLabel({ data: entry.data!, path, ...(entry.errors ? { errors: entry.errors } : {}) }, at.label));
        mergeInto(valueAt(data, path) as Record<string, unknown>, structuredClone(entry.data!));
      }
    }
    for (const done of completed) {
      const at = pending.get(done.id)!;
      pending.delete(done.id);
      if (done.errors === undefined) continue;
      // A deferred fragment or a stream that failed as a whole: null where its result would have gone.
      const list = valueAt(data, at.path);
      entries.push(withLabel(Array.isArray(list) ? { items: null, path: [...at.path, list.length], errors: done.errors } : { data: null, path: at.path, errors: done.errors }, at.label));
    }
    for (const p of announced) pending.set(p.id, p);
    yield { ...(entries.length > 0 ? { incremental: entries } : {}), hasNext, ...(extensions ? { extensions } : {}) };
  }
}

function withLabel(entry: LegacyEntry, label: string | undefined): LegacyEntry {
  return label === undefined ? entry : { ...entry, label };
}
