import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { callRoute as call } from "../../tests/helpers/call-route";
import { resetDatabase } from "../../tests/helpers/db";
import { signedWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { applyQueuedProductUpdates, countQueuedProductUpdates } from "../catalog/product-update-queue.server";
import { listShopifyVariants } from "../catalog/shopify-variants.server";
import { action as productsUpdate } from "./webhooks.products.update";
import { action as productsDelete } from "./webhooks.products.delete";

const SHOP = "products-webhook-test.myshopify.com";
const signed = (topic: string, body: unknown, extra?: WebhookOptions) =>
  signedWebhook(SHOP, topic, body, extra);

/** The worker's chore, as it runs every poll: applies what the webhooks queued. */
async function applyQueue() {
  const round = await applyQueuedProductUpdates();
  expect(round).toMatchObject({ unreadable: 0, more: false });
  expect(await countQueuedProductUpdates()).toBe(0);
  return round;
}

/** What the mapping page lists for the shop (every variant, deleted ones too), by product title. */
async function listed() {
  const page = await listShopifyVariants(SHOP, { filter: "all", limit: 250 });
  return page.variants.map((row) => [row.productTitle, row.shopifyVariantId, row.deletedAt === null]);
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
  it("GIVEN a signed product WHEN delivered THEN 200 at once, and the worker stores its variants with their images", async () => {
    const response = await call(
      productsUpdate,
      signed("products/update", restProductPayload(withVariantImages!)),
    );
    expect(response.status).toBe(200);
    // Recorded and acknowledged: nothing is written to the variants until the worker applies it.
    expect(await countQueuedProductUpdates(SHOP)).toBe(1);
    expect(await variantsOfProduct("8000000001")).toHaveLength(0);

    expect(await applyQueue()).toMatchObject({ applied: 1 });
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
    await applyQueue();
    const featured = await variantsOfProduct("8000000002");
    expect(featured.map((row) => row.imageUrl)).toEqual(
      Array(3).fill("https://cdn.shopify.test/products/8000000002.jpg"),
    );
  });

  it("GIVEN a product that lost a variant and was renamed WHEN delivered (twice) THEN the variant is marked deleted and the rest renamed", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await applyQueue();
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
    await applyQueue();
    const rows = await variantsOfProduct("8000000001");
    expect(rows.map((row) => [row.productTitle, row.deletedAt === null])).toEqual([
      ["Renamed tote", true],
      ["Renamed tote", true],
      ["Product 1", false],
    ]);

    // The variant comes back when Shopify lists it again.
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await applyQueue();
    expect((await variantsOfProduct("8000000001")).every((row) => row.deletedAt === null)).toBe(true);
  });

  it("GIVEN two versions of a product WHEN the older arrives last, before or after the worker applied the newer THEN the newer stays", async () => {
    const version = (title: string, updatedAt: string, variants = withVariantImages!.variants) => ({
      ...restProductPayload({ ...withVariantImages!, title, variants }),
      updated_at: updatedAt,
    });
    const older = version(
      "Tote, first",
      "2026-05-01T10:00:00-04:00",
      withVariantImages!.variants.slice(0, 1),
    );
    const newer = version("Tote, second", "2026-05-01T10:00:05-04:00");

    // Both waiting at once: the queue holds the newer only.
    expect((await call(productsUpdate, signed("products/update", newer))).status).toBe(200);
    expect((await call(productsUpdate, signed("products/update", older))).status).toBe(200);
    expect(await countQueuedProductUpdates(SHOP)).toBe(1);
    await applyQueue();
    expect(await listed()).toEqual([
      ["Tote, second", "45000000001", true],
      ["Tote, second", "45000000002", true],
      ["Tote, second", "45000000003", true],
    ]);

    // The older delivered again once the newer was applied: still nothing to apply.
    expect((await call(productsUpdate, signed("products/update", older))).status).toBe(200);
    expect(await countQueuedProductUpdates(SHOP)).toBe(0);
    expect((await applyQueuedProductUpdates()).applied).toBe(0);
    expect((await listed()).map(([title]) => title)).toEqual(Array(3).fill("Tote, second"));

    // A newer one still gets in; so does one of the same second (Shopify's resolution), arriving later.
    await call(productsUpdate, signed("products/update", version("Tote, third", "2026-05-01T14:00:06Z")));
    await call(productsUpdate, signed("products/update", version("Tote, fourth", "2026-05-01T14:00:06Z")));
    await applyQueue();
    expect((await listed()).map(([title]) => title)).toEqual(Array(3).fill("Tote, fourth"));
  });

  it("GIVEN Shopify's largest product (2,048 variants) WHEN delivered THEN it is queued as one row, and the worker applies it whole", async () => {
    const [large] = generateProducts(1, 2_048, { firstProductId: 8100000001, firstVariantId: 46000000001 });
    const response = await call(productsUpdate, signed("products/update", restProductPayload(large!)));
    expect(response.status).toBe(200);
    expect(await prisma.productUpdateQueue.count()).toBe(1);
    expect(await prisma.shopifyVariant.count()).toBe(0);

    await applyQueue();
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP, deletedAt: null } })).toBe(2_048);
    const firstPage = await listShopifyVariants(SHOP, { limit: 250 });
    expect(firstPage.variants).toHaveLength(250);
    expect(firstPage.nextCursor).not.toBeNull();
    // Applied, the row keeps what orders later webhooks (kind, updated_at), not the body.
    expect(await prisma.productUpdateQueue.findFirstOrThrow()).toMatchObject({
      shopifyProductId: "8100000001",
      kind: "update",
      payload: null,
      appliedAt: expect.any(Date),
    });
  });

  it("answers 401 to a wrong HMAC and to a missing one, writing nothing", async () => {
    const body = restProductPayload(withVariantImages!);
    expect((await call(productsUpdate, signed("products/update", body, { secret: "wrong" }))).status).toBe(
      401,
    );
    const unsigned = signed("products/update", body);
    unsigned.headers.delete("x-shopify-hmac-sha256");
    expect((await call(productsUpdate, unsigned)).status).toBe(401);
    expect(await prisma.productUpdateQueue.count()).toBe(0);
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
    // Each variant is checked too, by the rules the worker parses it with: a bad one anywhere is a 400.
    const body = restProductPayload(generateProducts(1, 300)[0]!) as {
      variants: Array<Record<string, unknown>>;
    };
    for (const [field, value] of [
      ["sku", 73002],
      ["id", "gid://shopify/ProductVariant/1"],
      ["image_id", -4],
      ["title", { text: "S" }],
    ] as const) {
      const variants = body.variants.map((variant, index) =>
        index === 250 ? { ...variant, [field]: value } : variant,
      );
      expect(
        (await call(productsUpdate, signed("products/update", { ...body, variants }))).status,
        field,
      ).toBe(400);
    }
    expect(await prisma.productUpdateQueue.count()).toBe(0);
    expect(await prisma.shopifyVariant.count()).toBe(0);
  });
});

describe("products/delete", () => {
  it("GIVEN a stored product WHEN its deletion is delivered THEN every variant of it is marked deleted and kept", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await call(productsUpdate, signed("products/update", restProductPayload(withFeaturedImage!)));
    await applyQueue();

    const response = await call(productsDelete, signed("products/delete", { id: 8000000001 }));
    expect(response.status).toBe(200);
    await applyQueue();
    expect((await variantsOfProduct("8000000001")).map((row) => row.deletedAt !== null)).toEqual([
      true,
      true,
      true,
    ]);
    expect((await variantsOfProduct("8000000002")).every((row) => row.deletedAt === null)).toBe(true);

    // A redelivery, or a product we never stored, changes nothing and still answers 200.
    expect((await call(productsDelete, signed("products/delete", { id: 8000000001 }))).status).toBe(200);
    expect((await call(productsDelete, signed("products/delete", { id: 1 }))).status).toBe(200);
    await applyQueue();
    expect((await listed()).map(([title, , live]) => [title, live])).toEqual([
      ["Product 1", false],
      ["Product 1", false],
      ["Product 1", false],
      ["Product 2", true],
      ["Product 2", true],
      ["Product 2", true],
    ]);
  });

  it("GIVEN an update sent before the deletion WHEN it arrives after it THEN the product stays deleted", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await applyQueue();

    const late = { ...restProductPayload(withVariantImages!), title: "Renamed before deleting" };
    // Still waiting when the deletion comes, and arriving after it: neither brings the product back.
    await call(productsUpdate, signed("products/update", late));
    expect((await call(productsDelete, signed("products/delete", { id: 8000000001 }))).status).toBe(200);
    expect((await call(productsUpdate, signed("products/update", late))).status).toBe(200);
    await applyQueue();
    expect(await listed()).toEqual([
      ["Product 1", "45000000001", false],
      ["Product 1", "45000000002", false],
      ["Product 1", "45000000003", false],
    ]);
  });

  it("answers 401 to a wrong HMAC and 400 to a body without a product id", async () => {
    await call(productsUpdate, signed("products/update", restProductPayload(withVariantImages!)));
    await applyQueue();
    const wrong = await call(
      productsDelete,
      signed("products/delete", { id: 8000000001 }, { secret: "wrong" }),
    );
    expect(wrong.status).toBe(401);
    expect((await call(productsDelete, signed("products/delete", { title: "x" }))).status).toBe(400);
    expect(await countQueuedProductUpdates()).toBe(0);
    expect((await variantsOfProduct("8000000001")).every((row) => row.deletedAt === null)).toBe(true);
  });
});
