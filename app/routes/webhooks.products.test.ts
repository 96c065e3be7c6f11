import type { ActionFunctionArgs } from "@remix-run/node";
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { TEST_API_SECRET } from "../../tests/setup/app-env";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { action as productsUpdate } from "./webhooks.products.update";
import { action as productsDelete } from "./webhooks.products.delete";

const SHOP = "products-webhook-test.myshopify.com";
const URL_BASE = "https://brilliant-sync.test/webhooks";

async function call(
  action: (args: ActionFunctionArgs) => Promise<Response>,
  request: Request,
): Promise<Response> {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

function signed(topic: string, body: unknown, extra: { secret?: string; rawBody?: string } = {}) {
  return signedWebhookRequest(`${URL_BASE}/${topic}`, {
    topic,
    shop: SHOP,
    body,
    secret: extra.secret ?? TEST_API_SECRET,
    rawBody: extra.rawBody,
  });
}

function variantsOfProduct(productId: string) {
  return prisma.shopifyVariant.findMany({
    where: { shop: SHOP, shopifyProductId: productId },
    orderBy: { shopifyVariantId: "asc" },
  });
}

// Product 1 of a generated catalog has per-variant images, product 2 a featured image only.
const [withVariantImages, withFeaturedImage] = generateProducts(2, 3, {
  skuFor: (n) => (n === 2 ? "" : `SKU-${n}`),
});

beforeEach(() => resetDatabase(prisma));

describe("products/update", () => {
  it("GIVEN a signed product WHEN delivered THEN its variants are stored with their images, and 200", async () => {
    const response = await call(
      productsUpdate,
      signed("products/update", restProductPayload(withVariantImages!)),
    );
    expect(response.status).toBe(200);
    const rows = await variantsOfProduct("8000000001");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      shopifyVariantId: "45000000001",
      productTitle: "Product 1",
      variantTitle: "Size S",
      sku: "SKU-0",
      imageUrl: "https://cdn.shopify.test/variants/45000000001.jpg",
      deletedAt: null,
    });
    // Shopify sends a missing SKU as "".
    expect(rows[2]!.sku).toBeNull();

    await call(productsUpdate, signed("products/update", restProductPayload(withFeaturedImage!)));
    const featured = await variantsOfProduct("8000000002");
    expect(featured.map((row) => row.imageUrl)).toEqual(
      Array(3).fill("https://cdn.shopify.test/products/8000000002.jpg"),
    );
  });

  it("GIVEN a product that lost a variant and was renamed WHEN delivered (twice) THEN the variant is marked deleted and the rest renamed", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    const changed = {
      ...withVariantImages!,
      title: "Renamed tote",
      variants: withVariantImages!.variants.slice(0, 2),
    };
    for (let delivery = 0; delivery < 2; delivery++) {
      expect(
        (await call(productsUpdate, signed("products/update", restProductPayload(changed)))).status,
      ).toBe(200);
    }
    const rows = await variantsOfProduct("8000000001");
    expect(rows.map((row) => [row.productTitle, row.deletedAt === null])).toEqual([
      ["Renamed tote", true],
      ["Renamed tote", true],
      ["Product 1", false],
    ]);

    // The variant comes back when Shopify lists it again.
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    expect((await variantsOfProduct("8000000001")).every((row) => row.deletedAt === null)).toBe(true);
  });

  it("answers 401 to a wrong HMAC and to a missing one, writing nothing", async () => {
    const body = restProductPayload(withVariantImages!);
    expect((await call(productsUpdate, signed("products/update", body, { secret: "wrong" }))).status).toBe(
      401,
    );
    const unsigned = signed("products/update", body);
    unsigned.headers.delete("x-shopify-hmac-sha256");
    expect((await call(productsUpdate, unsigned)).status).toBe(401);
    expect(await prisma.shopifyVariant.count()).toBe(0);
  });

  it("answers 400 to a signed body that is not JSON, or not a product", async () => {
    expect((await call(productsUpdate, signed("products/update", null, { rawBody: "{nope" }))).status).toBe(
      400,
    );
    expect((await call(productsUpdate, signed("products/update", { id: 1 }))).status).toBe(400);
    expect(
      (await call(productsUpdate, signed("products/update", { id: 1, title: "x", variants: [{ sku: "a" }] })))
        .status,
    ).toBe(400);
    expect(await prisma.shopifyVariant.count()).toBe(0);
  });
});

describe("products/delete", () => {
  it("GIVEN a stored product WHEN its deletion is delivered THEN every variant of it is marked deleted and kept", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await call(productsUpdate, signed("products/update", restProductPayload(withFeaturedImage!)));

    const response = await call(productsDelete, signed("products/delete", { id: 8000000001 }));
    expect(response.status).toBe(200);
    expect((await variantsOfProduct("8000000001")).map((row) => row.deletedAt !== null)).toEqual([
      true,
      true,
      true,
    ]);
    expect((await variantsOfProduct("8000000002")).every((row) => row.deletedAt === null)).toBe(true);

    // A redelivery, or a product we never stored, changes nothing and still answers 200.
    expect((await call(productsDelete, signed("products/delete", { id: 8000000001 }))).status).toBe(200);
    expect((await call(productsDelete, signed("products/delete", { id: 1 }))).status).toBe(200);
  });

  it("answers 401 to a wrong HMAC and 400 to a body without a product id", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    const wrong = await call(
      productsDelete,
      signed("products/delete", { id: 8000000001 }, { secret: "wrong" }),
    );
    expect(wrong.status).toBe(401);
    expect((await call(productsDelete, signed("products/delete", { title: "x" }))).status).toBe(400);
    expect((await variantsOfProduct("8000000001")).every((row) => row.deletedAt === null)).toBe(true);
  });
});
