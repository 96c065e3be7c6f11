/**
 * The compliance webhooks at sizes and in tables beyond the everyday, through
 * the routes with real signed requests and the real database:
 * - customers/redact and customers/data_request naming 1,500 orders (600 the
 *   app holds, 900 it never saw) answer 200 and cover all 600: more ids than
 *   Prisma lets one query bind (P2029);
 * - shop/redact leaves no row of the shop in any table with a shop column
 *   (fulfillment holds, with the merchant's notes, and the product update
 *   queue included), and another shop's rows as they were.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { findInTextColumns, shopRows } from "../../tests/helpers/catalog";
import { resetDatabase } from "../../tests/helpers/db";
import { shopifyAddress, testOrder } from "../../tests/helpers/forwarding";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import prisma from "../db.server";
import { logger } from "../logger.server";
import { action as customersDataRequest } from "./webhooks.customers.data_request";
import { action as customersRedact } from "./webhooks.customers.redact";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { action as productsUpdate } from "./webhooks.products.update";
import { action as shopRedact } from "./webhooks.shop.redact";

const SHOP = "compliance-test.myshopify.com";
const OTHER_SHOP = "compliance-other.myshopify.com";

const QUINN = {
  email: "quinn.manyorders@example.com",
  phone: "+1 737 555 0199",
  first: "Quinnella",
  last: "Manyorders",
  address1: "991 Plentiful Parkway",
};

function quinnOrder(number: number) {
  const address = shopifyAddress({ ...QUINN, city: "Austin", zip: "73301" });
  return testOrder(number, [{ variant: 73002, quantity: 1 }], {
    email: QUINN.email,
    phone: QUINN.phone,
    customer: { id: 77, email: QUINN.email, first_name: QUINN.first, last_name: QUINN.last },
    shipping_address: address,
    billing_address: address,
  });
}

const HELD = 600;
const heldOrders = Array.from({ length: HELD }, (_, index) => quinnOrder(10_000 + index));
/** 600 orders the app holds and 900 it never saw: over Prisma's ~997 parameters in one query. */
const requestedIds = [
  ...heldOrders.map((order) => order.id),
  ...Array.from({ length: 900 }, (_, index) => 5_000_000 + index),
];

/** What customers/redact and customers/data_request about Quinn both carry. */
const ABOUT_QUINN = {
  shop_id: 1,
  shop_domain: SHOP,
  customer: { id: 77, email: QUINN.email, phone: QUINN.phone },
};

async function receiveQuinnsOrders() {
  for (const order of heldOrders) {
    expect((await deliverWebhook(ordersPaid, SHOP, "orders/paid", order)).status).toBe(200);
  }
}

/** What the merchant sees of the shop's orders. */
function ordersAsListed() {
  return prisma.order.findMany({
    where: { shop: SHOP },
    select: { shopifyOrderId: true, name: true, state: true, stateReason: true },
    orderBy: { shopifyOrderId: "asc" },
  });
}

beforeEach(() => resetDatabase(prisma));
afterEach(() => vi.restoreAllMocks());

describe("customers/redact and customers/data_request naming 1,500 orders", () => {
  it("GIVEN 600 of Quinn's orders WHEN customers/redact names them among 1,500 ids THEN 200, every one of the 600 is redacted, and the orders list is as it was", async () => {
    await receiveQuinnsOrders();
    const response = await deliverWebhook(customersRedact, SHOP, "customers/redact", {
      ...ABOUT_QUINN,
      orders_to_redact: requestedIds,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const listed = await ordersAsListed();
    expect(listed).toHaveLength(HELD);
    expect(new Set(listed.map((order) => order.state))).toEqual(new Set(["received"]));
    expect(await findInTextColumns(prisma, Object.values(QUINN))).toEqual([]);
  });

  it("GIVEN 600 of Quinn's orders WHEN customers/data_request names them among 1,500 ids THEN 200, and the orders it reports held are those 600", async () => {
    await receiveQuinnsOrders();
    const info = vi.spyOn(logger, "info");
    const response = await deliverWebhook(customersDataRequest, SHOP, "customers/data_request", {
      ...ABOUT_QUINN,
      orders_requested: requestedIds,
      data_request: { id: 31 },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const reported = info.mock.calls.find(
      ([, message]) => message === "customers/data_request: orders held for this customer",
    )?.[0] as { orders: string[]; dataRequestId: number } | undefined;
    expect(reported?.dataRequestId).toBe(31);
    expect([...(reported?.orders ?? [])].sort()).toEqual(heldOrders.map((order) => String(order.id)).sort());
  });
});

describe("shop/redact", () => {
  const HOLD_NOTE = "Customer Quinnella Manyorders asked us to wait";

  async function seedShop(shop: string) {
    for (const order of heldOrders.slice(0, 3)) {
      expect((await deliverWebhook(ordersPaid, shop, "orders/paid", order)).status).toBe(200);
    }
    const [product] = generateProducts(1, 2);
    expect(
      (await deliverWebhook(productsUpdate, shop, "products/update", restProductPayload(product!))).status,
    ).toBe(200);
    // Fulfillment holds as the placed_on_hold webhook records them, the merchant's notes included.
    await prisma.fulfillmentHold.create({
      data: {
        shop,
        fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1",
        shopifyOrderId: String(heldOrders[0]!.id),
        onHold: true,
        reason: `OTHER: ${HOLD_NOTE}`,
        eventAt: new Date(),
      },
    });
    await prisma.fulfillmentHold.create({
      data: {
        shop,
        fulfillmentOrderId: "gid://shopify/FulfillmentOrder/2",
        onHold: true,
        reason: "AWAITING_PAYMENT",
        eventAt: new Date(),
        lookupError: "Shopify did not answer",
      },
    });
  }

  it("GIVEN two shops with orders, queued product updates and fulfillment holds WHEN shop/redact arrives for one THEN no table with a shop column holds a row of it, its hold notes are nowhere, and the other shop's rows are as they were", async () => {
    await seedShop(SHOP);
    await seedShop(OTHER_SHOP);
    const otherBefore = await shopRows(prisma, OTHER_SHOP);
    const before = await shopRows(prisma, SHOP);
    expect(before.FulfillmentHold).toHaveLength(2);

    const response = await deliverWebhook(shopRedact, SHOP, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    expect(response.status).toBe(200);
    const left = Object.entries(await shopRows(prisma, SHOP)).filter(([, rows]) => rows.length > 0);
    expect(left).toEqual([]);
    expect(await shopRows(prisma, OTHER_SHOP)).toEqual(otherBefore);
    // The other shop's copy of the note is the only one left.
    const notes = await findInTextColumns(prisma, [HOLD_NOTE]);
    expect(notes.map((hit) => hit.table)).toEqual(["FulfillmentHold"]);
    expect(await prisma.fulfillmentHold.count({ where: { shop: OTHER_SHOP } })).toBe(2);

    // Delivered again: nothing left to do, still 200.
    expect(
      (await deliverWebhook(shopRedact, SHOP, "shop/redact", { shop_id: 1, shop_domain: SHOP })).status,
    ).toBe(200);
  });
});
