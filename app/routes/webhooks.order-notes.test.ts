import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  adminGraphqlFor,
  standInOrderFromRest,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, mapVariants, testOrder } from "../../tests/helpers/forwarding";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { ITEM_NOTE_MAX_LENGTH } from "../orders/item-notes";
import { REDACTED } from "../orders/compliance/personal-data";
import { reconcileShop } from "../orders/reconciliation.server";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { action as customersRedact } from "./webhooks.customers.redact";
import { loader as orderPage } from "./app.orders.$id";

// The customer's line item properties and order note reach Brilliant as the
// items' notes (app/orders/item-notes.ts): real signed webhooks, the worker's
// code, the Brilliant simulator over HTTP, the reconciliation sweep against
// the Admin GraphQL stand-in, the order page, and customers/redact.

const SHOP = "order-notes.myshopify.com";
const world = withShopifyAndBrilliant([SHOP]);
beforeEach(() => mapVariants(SHOP, [V.untracked]));

/** Order #T<number>: an engraved tee (private properties too) and a plain untracked item, with a gift note. */
function giftOrder(number: number, engraving = "Ada") {
  const order = testOrder(
    number,
    [
      { variant: V.teeMedium, quantity: 1 },
      { variant: V.untracked, quantity: 2 },
    ],
    {
      note: "Happy birthday!\nLove, Bob",
      note_attributes: [
        { name: "Gift message", value: "Enjoy" },
        { name: "_landing_page", value: "/promo" },
      ],
    },
  );
  order.line_items[0] = {
    ...order.line_items[0]!,
    properties: [
      { name: "Engraving", value: engraving },
      { name: "_bundle_id", value: "bundle-77" },
      { name: "Gift wrap", value: "yes" },
    ],
  } as (typeof order.line_items)[number];
  return order;
}

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

const itemsAtBrilliant = (shopifyOrderId: number) =>
  world.sim.ordersForShopifyOrder(shopifyOrderId).map((record) => record.order.order_items);

const orderOf = (shopifyOrderId: number) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(shopifyOrderId) } },
    include: { attempts: true },
  });

const EXPECTED_NOTES = [
  {
    variant_id: V.teeMedium,
    quantity: 1,
    notes: "Engraving: Ada · Gift wrap: yes | Order note: Happy birthday! Love, Bob · Gift message: Enjoy",
  },
  { variant_id: V.untracked, quantity: 2, notes: null },
];

describe("the customer's notes at Brilliant", () => {
  it("GIVEN a signed orders/paid with properties, an order note and cart attributes WHEN the worker runs THEN Brilliant gets them as the items' notes, private ones never, and the order page shows each line's", async () => {
    const body = giftOrder(1);
    expect((await deliverWebhook(ordersPaid, SHOP, "orders/paid", body)).status).toBe(200);
    await forward();

    expect(itemsAtBrilliant(body.id)).toEqual([EXPECTED_NOTES]);
    const stored = await orderOf(body.id);
    expect(stored.state).toBe("forwarded");
    const sent = stored.attempts[0]!.requestBody!;
    expect(JSON.parse(sent).order_items[0].note).toBe(EXPECTED_NOTES[0]!.notes);
    for (const secret of ["bundle-77", "_bundle_id", "/promo", "_landing_page"])
      expect(sent).not.toContain(secret);

    const page = await callRoute(orderPage, await adminRequest(`/app/orders/${stored.id}`, { shop: SHOP }), {
      id: stored.id,
    });
    const { order } = (await page.json()) as {
      order: { lineItems: { lineItemId: string; note: string | null }[] };
    };
    expect(order.lineItems.map((line) => line.note)).toEqual([EXPECTED_NOTES[0]!.notes, null]);
  });

  it("GIVEN an engraving far past the limit THEN the note is cut to the limit with '…'", async () => {
    const body = giftOrder(2, "Z".repeat(2_000));
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    await forward();

    const [items] = itemsAtBrilliant(body.id);
    const note = items![0]!.notes!;
    expect([...note]).toHaveLength(ITEM_NOTE_MAX_LENGTH);
    expect(note).toMatch(/^Engraving: Z+…$/);
  });

  it("GIVEN an order only the reconciliation sweep finds THEN it carries the same notes as its webhook would", async () => {
    const body = giftOrder(3);
    world.standIn.setOrders(SHOP, [standInOrderFromRest(body)]);

    expect(await reconcileShop(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({ ok: true, ingested: 1 });
    await forward();

    expect(itemsAtBrilliant(body.id)).toEqual([EXPECTED_NOTES]);
  });

  it("GIVEN an order forwarded with notes WHEN customers/redact names it THEN no stored body holds the notes: Shopify's, ours to Brilliant and Brilliant's answer", async () => {
    const body = giftOrder(4, "Adalberta Kingsley");
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    await forward();
    const before = await orderOf(body.id);
    expect(before.attempts[0]!.responseBody).toContain("Adalberta Kingsley");

    const redact = await deliverWebhook(customersRedact, SHOP, "customers/redact", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 1, email: "buyer@example.com", phone: null },
      orders_to_redact: [body.id],
    });
    expect(redact.status).toBe(200);

    const after = await orderOf(body.id);
    const stored = [after.payload, after.attempts[0]!.requestBody!, after.attempts[0]!.responseBody!];
    for (const text of stored) {
      for (const words of ["Adalberta", "Kingsley", "Happy birthday", "Love, Bob", "Enjoy", "Gift wrap"]) {
        expect(text).not.toContain(words);
      }
    }
    expect(JSON.parse(after.attempts[0]!.requestBody!).order_items[0].note).toBe(REDACTED);
    // What was sent stays readable for the history: variants and quantities.
    expect(JSON.parse(after.attempts[0]!.requestBody!).order_items[0]).toMatchObject({
      variant_id: V.teeMedium,
      quantity: 1,
    });
  });
});
