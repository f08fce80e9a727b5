// `npm run example:custom-step`: prices every product and its related products in the currency the
// request asks for, through the custom PriceStep, then prints what the pricing service was asked.
// main() returns the result and the service's calls, for the tests.

import { parse, type ExecutionResult } from "graphql";
import { pathToFileURL } from "node:url";
import { execute } from "../../src/index.js";
import { PriceService } from "./priceService.js";
import { shopSchema } from "./schema.js";

export const query = /* GraphQL */ `
  query Shop($currency: String!) {
    products {
      name
      price(currency: $currency) { amount currency }
      related {
        name
        price(currency: $currency) { amount currency }
      }
    }
  }
`;

export interface CustomStepOutput {
  result: ExecutionResult;
  serviceCalls: PriceService["calls"];
}

export async function main(options: { currency?: string; print?: boolean } = {}): Promise<CustomStepOutput> {
  const prices = new PriceService();
  const result = await execute({
    schema: shopSchema,
    document: parse(query),
    variableValues: { currency: options.currency ?? "USD" },
    contextValue: { prices },
  });
  if (options.print !== false) {
    console.log(JSON.stringify(result, null, 2));
    console.log(`\nPriceService.quote: ${prices.calls.length} calls (one per layer)`);
    for (const call of prices.calls) console.log(`  ${call.currency} ${JSON.stringify(call.skus)}`);
  }
  return { result, serviceCalls: prices.calls };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
