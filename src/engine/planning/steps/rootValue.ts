// rootValue(): the request's root value (graphql-js `rootValue`), a global step.

import { Step, type ExecutionDetails } from "../../step.js";
import { registerStepClass } from "../../stepRegistry.js";

export class RootValueStep extends Step<unknown> {
  static override readonly stepName = "RootValue";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  execute({ count, request }: ExecutionDetails): readonly unknown[] {
    // Global, so almost always one entry: a literal costs a fraction of `new Array(1).fill`.
    return count === 1 ? [request.rootValue] : new Array(count).fill(request.rootValue);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof RootValueStep);
  }
}

export function rootValue(): RootValueStep {
  return new RootValueStep();
}
