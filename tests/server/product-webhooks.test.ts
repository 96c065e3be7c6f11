/**
 * Heavy product webhooks never stall the production server: server.ts's
 * createAppServer (its webhook lane, as `npm start` serves webhooks) with the
 * app's real orders/paid and products/update routes, over real HTTP, on the
 * test's database.
 *
 * GIVEN five products/update webhooks of 2,048 variants each (Shopify's most
 *   per product), sent at once,
 * WHEN orders/paid webhooks are sent meanwhile, each given up after 5 s as
 *   Shopify gives up on a delivery,
 * THEN every orders/paid is answered 200 and listed among the shop's orders,
 *   every product update is answered 200, and once the worker's chore has
 *   run, the mapping page lists all 10,240 variants.
 *
 * Applied in the web process, those updates held its event loop for seconds,
 * and the orders/paid sent meanwhile were answered after Shopify's 5 s or not
 * at all.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { createAppServer } from "../../server";
import prisma from "../../app/db.server";
import { listOrders } from "../../app/orders/order-list.server";
import { flushReceivedOrders } from "../../app/orders/ingest.server";
import {
  applyQueuedProductUpdates,
  countQueuedProductUpdates,
} from "../../app/catalog/product-update-queue.server";
import { listShopifyVariants } from "../../app/catalog/shopify-variants.server";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { seedAdminShop } from "../helpers/admin-session";
import { productionBuild, route } from "../helpers/server-build";
import { resetDatabase } from "../helpers/db";
import { testOrder } from "../helpers/forwarding";
import { TEST_API_SECRET } from "../setup/app-env";

const SHOP = "heavy-products.myshopify.com";
const PRODUCTS = 5;
const VARIANTS_PER_PRODUCT = 2_048;
/** Senders of orders/paid, each sending one after another while the product updates are in flight. */
const ORDER_SENDERS = 4;
/** Orders each sender sends at least, whenever the product updates are answered. */
const ORDERS_PER_SENDER_AT_LEAST = 10;
/** Shopify counts a delivery unanswered after 5 s as failed, and closes the connection. */
const SHOPIFY_DELIVERY_TIMEOUT_MS = 5_000;

const handleError = vi.fn();

let server: Server;
let base: string;

beforeAll(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  const build = productionBuild(
    { default: () => new Response("document", { status: 200 }), handleError },
    {
      paid: route(
        "routes/webhooks.orders.paid",
        "webhooks/orders/paid",
        await import("../../app/routes/webhooks.orders.paid"),
      ),
      products: route(
        "routes/webhooks.products.update",
        "webhooks/products/update",
        await import("../../app/routes/webhooks.products.update"),
      ),
    },
  );
  server = createAppServer(build, "production");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Delivers a signed webhook as Shopify does: its status, or why it got none within Shopify's time. */
async function deliver(topic: string, rawBody: string): Promise<number | string> {
  const { headers, body } = signedWebhookHeaders({
    topic,
    shop: SHOP,
    body: null,
    rawBody,
    secret: TEST_API_SECRET,
  });
  try {
    const response = await fetch(`${base}/webhooks/${topic}`, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(SHOPIFY_DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

describe("products/update webhooks of Shopify's largest products", () => {
  it("GIVEN five 2,048-variant updates at once WHEN orders/paid arrive meanwhile THEN every order is answered 200 and listed, and the worker applies every variant", async () => {
    // Bodies made before anything is sent: ~0.7 MB each, 10,240 variants in all.
    const products = generateProducts(PRODUCTS, VARIANTS_PER_PRODUCT);
    const productBodies = products.map((product) => JSON.stringify(restProductPayload(product)));

    let productsPending = PRODUCTS;
    const productAnswers = Promise.all(
      productBodies.map((body) =>
        deliver("products/update", body).finally(() => {
          productsPending -= 1;
        }),
      ),
    );

    let nextOrder = 1;
    const orderAnswers: Array<number | string> = [];
    let sentWhileProductsPending = 0;
    const sender = async () => {
      for (let sent = 0; sent < ORDERS_PER_SENDER_AT_LEAST || productsPending > 0; sent++) {
        if (productsPending > 0) sentWhileProductsPending += 1;
        const order = testOrder(nextOrder++, [{ variant: 45000000001, quantity: 1 }]);
        orderAnswers.push(await deliver("orders/paid", JSON.stringify(order)));
      }
    };
    await Promise.all(Array.from({ length: ORDER_SENDERS }, sender));

    console.log(
      `product-webhooks: products=${PRODUCTS}x${VARIANTS_PER_PRODUCT} orders=${orderAnswers.length}` +
        ` sent_while_products_pending=${sentWhileProductsPending}`,
    );
    expect(await productAnswers).toEqual(Array(PRODUCTS).fill(200));
    // The orders really went in beside the product updates, and every one was answered in Shopify's time.
    expect(sentWhileProductsPending).toBeGreaterThanOrEqual(ORDER_SENDERS);
    expect(orderAnswers.filter((status) => status !== 200)).toEqual([]);
    expect(handleError).not.toHaveBeenCalled();

    // The merchant's orders list holds every order that was acknowledged (its request's door first).
    await flushReceivedOrders(SHOP);
    const orders = await listOrders(SHOP, {}, { limit: 250 });
    expect(orders.orders).toHaveLength(orderAnswers.length);
    expect(new Set(orders.orders.map((order) => order.state))).toEqual(new Set(["received"]));

    // Acknowledged, not yet applied: the worker's chore applies the queue, a product at a time.
    expect(await countQueuedProductUpdates(SHOP)).toBe(PRODUCTS);
    for (let round = 0; (await countQueuedProductUpdates(SHOP)) > 0; round++) {
      expect(round, "the chore keeps making progress").toBeLessThan(PRODUCTS);
      await applyQueuedProductUpdates();
    }
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP, deletedAt: null } })).toBe(
      PRODUCTS * VARIANTS_PER_PRODUCT,
    );
    const page = await listShopifyVariants(SHOP, { limit: 250, search: "Product 5" });
    expect(page.variants).toHaveLength(250);
    expect(page.variants.every((variant) => variant.productTitle === "Product 5")).toBe(true);
  });
});
