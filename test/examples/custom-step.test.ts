// The custom-step example: PriceStep calls the pricing service once per layer with distinct SKUs and the
// request's currency, and entries without a SKU never reach it. Asserts counts and data, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../examples/custom-step/run.js";

test("custom-step: one service call per layer (products, related), in the requested currency", async () => {
  const { result, serviceCalls } = await main({ currency: "GBP", print: false });
  assert.equal(result.errors, undefined);
  assert.is(serviceCalls.length, 2);
  for (const call of serviceCalls) assert.is(call.currency, "GBP");
});

test("custom-step: null SKUs never reach the service, and each call has distinct SKUs", async () => {
  const { serviceCalls } = await main({ print: false });
  for (const { skus } of serviceCalls) {
    assert.ok(skus.every((s) => typeof s === "string"), `a call received ${JSON.stringify(skus)}`);
    assert.is(new Set(skus).size, skus.length);
  }
  assert.equal(serviceCalls.map((c) => c.skus.length), [4, 4]);
});

test("custom-step: products without a SKU get a null price; the others are priced", async () => {
  const { result } = await main({ currency: "EUR", print: false });
  const products = (result.data as { products: Array<{ name: string; price: { amount: number; currency: string } | null }> }).products;
  assert.equal(
    products.map((p) => [p.name, p.price?.amount ?? null]),
    [["A Book", 19.99], ["Another Book", 24.5], ["Mug", 8.99], ["Pen", 2.5], ["Gift wrap", null], ["Free sample", null]],
  );
});

test.run();
