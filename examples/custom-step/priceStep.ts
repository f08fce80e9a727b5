// PriceStep: a custom step. One call to the pricing service per layer, with every distinct SKU of the
// batch and the request's currency (a global dependency: one value, not a list). Entries without a SKU
// exit early: the engine drops them before execute, so the service never sees a null.

import { FLAGS_NONE, Step, type ExecutionDetails } from "../../src/index.js";
import { context } from "../../steps/index.js";
import type { PriceService, Quote } from "./priceService.js";

/** What the example's requests carry as graphql-js `contextValue`. */
export interface ShopContext {
  prices: PriceService;
}

export class PriceStep extends Step<Quote | null> {
  // execute returns a promise; explain draws the step as asynchronous.
  override isAsync = true;
  private readonly skuIndex: number;
  private readonly currencyIndex: number;
  private readonly contextIndex: number;

  constructor($sku: Step, $currency: Step) {
    super();
    // Batch dependency: values[skuIndex] is a list of `count` SKUs. Accepting no flags (not even null)
    // means an entry whose SKU is null never reaches execute; its price becomes null.
    this.skuIndex = this.addDependency($sku, { acceptFlags: FLAGS_NONE });
    // Global dependencies: values[i] is the value itself, the same for every entry of the request.
    this.currencyIndex = this.addGlobalDependency($currency);
    this.contextIndex = this.addGlobalDependency(context());
  }

  async execute({ count, values }: ExecutionDetails): Promise<Array<Quote | null>> {
    const skus = values[this.skuIndex] as readonly string[];
    const currency = values[this.currencyIndex] as string;
    const { prices } = values[this.contextIndex] as ShopContext;
    // Distinct SKUs, and for each entry the position of its SKU among them: one pass, no per-entry promise.
    const distinct: string[] = [];
    const positionOf = new Map<string, number>();
    const slot = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const sku = skus[i]!;
      let at = positionOf.get(sku);
      if (at === undefined) {
        at = distinct.length;
        positionOf.set(sku, at);
        distinct.push(sku);
      }
      slot[i] = at;
    }
    const quotes = await prices.quote(distinct, currency);
    const out = new Array<Quote | null>(count);
    for (let i = 0; i < count; i++) out[i] = quotes[slot[i]!] ?? null;
    return out;
  }

  /** Two price steps over the same SKUs and currency are one step: the planner keeps one. */
  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof PriceStep);
  }
}

/** price($sku, $currency): the factory users call in plan resolvers, like every standard step. */
export function price($sku: Step, $currency: Step): PriceStep {
  return new PriceStep($sku, $currency);
}
