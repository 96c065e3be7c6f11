import { describe, expect, it } from "vitest";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { syncBrilliantCatalog } from "./brilliant-catalog.server";
import { searchBrilliantVariants } from "./mapping-page.server";

const SHOP = "picker-search.myshopify.com";
const world = withBrilliant(SHOP);

describe("the mapping picker's search", () => {
  it('GIVEN the catalog WHEN the merchant types several words ("logo tee L") THEN it finds the variants that have every word, in the name or an option', async () => {
    await syncBrilliantCatalog(
      SHOP,
      createBrilliantClient({ baseUrl: world.sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET }),
    );
    // "L" is a whole option: the tee in L, not every name with an l in it.
    const found = await searchBrilliantVariants(SHOP, { search: "logo tee L" });
    expect(found.map((variant) => variant.brilliantVariantId)).toEqual([String(V.lowStock)]);
    expect(found[0]).toMatchObject({ productName: "Classic Logo Tee" });
    expect(await searchBrilliantVariants(SHOP, { search: "logo bottle" })).toEqual([]);
  });

  it("marks the variants whose orders would be held: out of stock on a product that requires stock, or inactive", async () => {
    await syncBrilliantCatalog(
      SHOP,
      createBrilliantClient({ baseUrl: world.sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET }),
    );
    const [empty] = await searchBrilliantVariants(SHOP, { search: String(V.outOfStock) });
    expect(empty).toMatchObject({ outOfStock: true, inactive: false, stock: 0 });
    const [inactive] = await searchBrilliantVariants(SHOP, { search: String(V.inactive) });
    expect(inactive).toMatchObject({ inactive: true });
    const [plenty] = await searchBrilliantVariants(SHOP, { search: String(V.teeMedium) });
    expect(plenty).toMatchObject({ outOfStock: false, inactive: false });
  });
});
