import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { saveBrilliantCredentials } from "../models/shop.server";
import { loader } from "./app._index";

const SHOP = "setup-guide.myshopify.com";

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
});

async function steps() {
  const response = await callRoute(loader, await adminRequest("/app", { shop: SHOP }));
  const { setup } = (await response.json()) as {
    setup: { id: string; done: boolean; action: { url: string } }[];
  };
  return setup;
}

describe("Home's setup guide", () => {
  it("GIVEN a new install THEN every step is to do, each with the page that does it; each is done once the database holds it", async () => {
    expect(await steps()).toEqual([
      expect.objectContaining({
        id: "credentials",
        done: false,
        action: expect.objectContaining({ url: "/app/settings" }),
      }),
      expect.objectContaining({ id: "catalog", done: false }),
      expect.objectContaining({
        id: "products",
        done: false,
        action: expect.objectContaining({ url: "/app/mappings" }),
      }),
      expect.objectContaining({
        id: "mappings",
        done: false,
        action: expect.objectContaining({ url: "/app/mappings/auto-match" }),
      }),
    ]);

    await saveBrilliantCredentials(SHOP, { apiKey: "key", apiSecret: "secret" });
    const now = new Date();
    await prisma.brilliantVariant.create({
      data: {
        shop: SHOP,
        brilliantVariantId: "73002",
        productId: "1",
        productName: "Tee",
        inventoryCount: 5,
        inventoryRequired: true,
        productInactive: false,
        syncedAt: now,
      },
    });
    await prisma.shopifyVariant.create({
      data: { shop: SHOP, shopifyVariantId: "1", shopifyProductId: "9", productTitle: "Tee", syncedAt: now },
    });
    expect((await steps()).map((step) => [step.id, step.done])).toEqual([
      ["credentials", true],
      ["catalog", true],
      ["products", true],
      ["mappings", false],
    ]);
    await prisma.variantMapping.create({
      data: { shop: SHOP, shopifyVariantId: "1", brilliantVariantId: "73002", source: "manual" },
    });
    expect((await steps()).every((step) => step.done)).toBe(true);
  });
});
