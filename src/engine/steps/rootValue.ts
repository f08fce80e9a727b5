// rootValue(): the request's root value (graphql-js `rootValue`), a global step.

import { Step, type ExecutionDetails } from "../step.js";

export class RootValueStep extends Step<unknown> {
  static override readonly stepName = "RootValue";
  execute({ count, request }: ExecutionDetails): readonly unknown[] {
    return new Array(count).fill(request.rootValue);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof RootValueStep);
  }
}

export function rootValue(): RootValueStep {
  return new RootValueStep();
}
