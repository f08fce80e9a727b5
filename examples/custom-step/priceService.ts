// A fake external pricing service standing in for an HTTP API that quotes many SKUs in one request.
// It records every call (SKUs and currency) so the example and its tests can count them; it rejects null SKUs
// loudly, because the step in front of it must never send one.

export interface Quote {
  sku: string;
  amount: number;
  currency: string;
}

/** Prices in EUR cents, as the service's own catalogue holds them. */
const catalogue: Readonly<Record<string, number>> = {
  "BOOK-1": 1999,
  "BOOK-2": 2450,
  "MUG-1": 899,
  "PEN-1": 250,
  "LAMP-1": 4990,
};

const rates: Readonly<Record<string, number>> = { EUR: 1, USD: 1.08, GBP: 0.85, JPY: 162 };

export class PriceService {
  /** One entry per call: the SKUs asked for and the currency. */
  readonly calls: Array<{ skus: string[]; currency: string }> = [];

  /** One round trip for the whole batch; answers in SKU order, null for unknown SKUs. */
  async quote(skus: readonly string[], currency: string): Promise<Array<Quote | null>> {
    this.calls.push({ skus: [...skus], currency });
    for (const sku of skus) {
      if (typeof sku !== "string") throw new Error(`PriceService.quote: got a ${sku === null ? "null" : typeof sku} SKU; SKUs must be strings.`);
    }
    const rate = rates[currency];
    if (rate === undefined) throw new Error(`PriceService.quote: unknown currency "${currency}" (known: ${Object.keys(rates).join(", ")}).`);
    await new Promise((resolve) => setTimeout(resolve, 1)); // the network
    return skus.map((sku) => {
      const cents = catalogue[sku];
      return cents === undefined ? null : { sku, amount: Math.round(cents * rate) / 100, currency };
    });
  }
}
