// OpenWalkedLists: the list layers LeaveForWalk left unopened for the compiled output, and the object layers
// it read without buckets (IsGlobalObject), opened after all when the response is built another way (the
// compiled output gave up, or some entry was a promise). Below such a layer only items and property reads
// were planned (or nothing at all), so opening it late reads what opening it early would.

import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { setChild, type Bucket, type RequestState } from "./bucket.js";
import { createBucket } from "./createBucket.js";
import { executeLayer } from "./executeLayer.js";

/**
 * spec: OpenWalkedLists — every unopened bucket below `root` is replaced by the layer opened as usual
 * (CreateBucket, ExecuteLayer), after giving back the entries it reserved, and every object layer left
 * without a bucket is opened; nothing is left unopened again.
 */
export function openWalkedLists(request: RequestState, root: Bucket): PromiseOrValue<void> {
  request.walkedLists = "opening";
  const waits: Promise<void>[] = [];
  openBelow(request, root, waits);
  if (waits.length === 0) return;
  return Promise.all(waits).then(() => undefined);
}

function openBelow(request: RequestState, bucket: Bucket, waits: Promise<void>[]): void {
  const layers = bucket.layer.children;
  for (let c = 0; c < layers.length; c++) {
    const layer = layers[c]!;
    const child = bucket.children.get(layer.id);
    if (child === undefined) {
      // Never opened: a bucket without entries opens nothing, and a serial layer waits for its turn; an
      // object layer left for the compiled output (IsGlobalObject) is opened now.
      if (!layer.globalObject || bucket.count === 0 || layer.reason.runsSerially) continue;
    } else if (child.walkedEntries < 0) {
      openBelow(request, child, waits);
      continue;
    } else {
      request.entries -= child.walkedEntries;
    }
    const opened = createBucket(request, bucket, layer);
    if (isPromiseLike(opened)) {
      waits.push(
        (opened as Promise<Bucket>).then((b) => {
          setChild(bucket, layer.id, b);
          return executeLayer(request, b);
        }),
      );
      continue;
    }
    setChild(bucket, layer.id, opened);
    const done = executeLayer(request, opened);
    if (done !== undefined) waits.push(done);
  }
}
