// OpenWalkedLists: the list layers LeaveForWalk left unopened for the compiled output, opened after all when
// the response is built another way (the compiled output gave up, or some entry was a promise). Below such
// a layer only items and property reads were planned, so opening it late reads what opening it early would.

import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { Bucket, RequestState } from "./bucket.js";
import { createBucket, executeLayer } from "./executeLayer.js";

/**
 * spec: OpenWalkedLists — every unopened bucket below `root` is replaced by the layer opened as usual
 * (CreateBucket, ExecuteLayer), after giving back the entries it reserved; nothing is left unopened again.
 */
export function openWalkedLists(request: RequestState, root: Bucket): PromiseOrValue<void> {
  request.walkedLists = "opening";
  const waits: Promise<void>[] = [];
  openBelow(request, root, waits);
  if (waits.length === 0) return;
  return Promise.all(waits).then(() => undefined);
}

function openBelow(request: RequestState, bucket: Bucket, waits: Promise<void>[]): void {
  for (const [layerId, child] of bucket.children) {
    if (child.walkedEntries < 0) {
      openBelow(request, child, waits);
      continue;
    }
    request.entries -= child.walkedEntries;
    const opened = createBucket(request, bucket, child.layer);
    if (isPromiseLike(opened)) {
      waits.push(
        (opened as Promise<Bucket>).then((b) => {
          bucket.children.set(layerId, b);
          return executeLayer(request, b);
        }),
      );
      continue;
    }
    bucket.children.set(layerId, opened);
    const done = executeLayer(request, opened);
    if (done !== undefined) waits.push(done);
  }
}
