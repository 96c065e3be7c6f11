import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { saveSettings } from "../../tests/helpers/settings-form";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { loader as settingsLoader } from "./app.settings";

// Brilliant takes only a 2-letter `state`. Addresses without one outside the
// US and Canada (the UK, Australia's NSW) are held, or sent with the country
// code when Settings says so (app/orders/state-rule.ts); a US address without
// a state is held either way. Real signed webhooks, the worker's code, the
// Brilliant simulator over HTTP, and the Settings page's own action.

const SHOP = "abroad-a.myshopify.com";
const OTHER = "abroad-b.myshopify.com";
const world = withShopifyAndBrilliant([SHOP, OTHER]);

const LONDON = {
  name: "Ada Lovelace",
  address1: "10 Downing St",
  city: "London",
  zip: "SW1A 2AA",
  country_code: "GB",
};
const SYDNEY = {
  name: "Bob Smith",
  address1: "1 Macquarie St",
  city: "Sydney",
  province: "New South Wales",
  province_code: "NSW",
  zip: "2000",
  country_code: "AU",
};
const NO_STATE_US = {
  name: "Cy Young",
  address1: "1 Main St",
  city: "Austin",
  zip: "73301",
  country_code: "US",
};

const shippedTo = (number: number, shipping_address: Record<string, unknown>) =>
  testOrder(number, [{ variant: V.teeMedium, quantity: 1 }], { shipping_address });

const deliver = (body: unknown) => deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
    include: { transitions: true },
  });

/** The state Brilliant got for the order, or undefined when it got none. */
const stateAtBrilliant = (body: { id: number }) =>
  world.sim.ordersForShopifyOrder(body.id).map((record) => record.order.shipping_address.state)[0];

async function settingsOf(shop: string) {
  const response = await callRoute(
    settingsLoader,
    await adminRequest("https://brilliant-sync.test/app/settings", { shop }),
  );
  return ((await response.json()) as { settings: { subdivisionFallback: string } }).settings;
}

describe("addresses without a 2-letter state", () => {
  it("GIVEN the default WHEN UK, NSW and stateless US orders arrive THEN each is held with why and what the setting would do; choosing the country code releases the UK and NSW ones with GB and AU, never the US one", async () => {
    const uk = shippedTo(1, LONDON);
    const nsw = shippedTo(2, SYDNEY);
    const us = shippedTo(3, NO_STATE_US);
    for (const body of [uk, nsw, us]) expect((await deliver(body)).status).toBe(200);
    await forward();

    const heldUk = await orderOf(uk);
    expect(heldUk).toMatchObject({ state: "held", holdKind: "address", lastCode: 2501 });
    expect(heldUk.stateReason).toBe(
      "Brilliant needs a 2-letter state code, and United Kingdom addresses have none. " +
        'To send such orders with the country code (GB) as the state, choose "Send the country code as the state" ' +
        'for "Addresses without a 2-letter state" in Settings; this order then goes out by itself.',
    );
    expect((await orderOf(nsw)).stateReason).toMatch(/the address in Australia has "NSW"\. .*\(AU\)/);
    const heldUs = await orderOf(us);
    expect(heldUs).toMatchObject({ state: "held", holdKind: "address" });
    expect(heldUs.stateReason).toMatch(/has none\. Fix the shipping address, then resubmit the order\.$/);
    expect(world.sim.acceptedOrders()).toHaveLength(0);

    expect((await saveSettings(SHOP, { subdivisionFallback: "country" })).status).toBe(200);
    await forward();

    expect(await orderOf(uk)).toMatchObject({ state: "forwarded" });
    expect(stateAtBrilliant(uk)).toBe("GB");
    expect(await orderOf(nsw)).toMatchObject({ state: "forwarded" });
    expect(stateAtBrilliant(nsw)).toBe("AU");
    // The US order is left as it was: not moved, its history untouched.
    const stillUs = await orderOf(us);
    expect(stillUs).toMatchObject({ state: "held", stateReason: heldUs.stateReason });
    expect(stillUs.transitions).toHaveLength(heldUs.transitions.length);
    expect(stateAtBrilliant(us)).toBeUndefined();
  });

  it("GIVEN the country code chosen WHEN UK and stateless US orders arrive THEN the UK one goes with GB at once and the US one is held; back to hold, a UK order is held again", async () => {
    expect((await saveSettings(SHOP, { subdivisionFallback: "country" })).status).toBe(200);
    const uk = shippedTo(4, LONDON);
    const us = shippedTo(5, NO_STATE_US);
    await deliver(uk);
    await deliver(us);
    await forward();
    expect(stateAtBrilliant(uk)).toBe("GB");
    expect(await orderOf(us)).toMatchObject({ state: "held", holdKind: "address" });

    expect((await saveSettings(SHOP, { subdivisionFallback: "hold" })).status).toBe(200);
    const later = shippedTo(6, LONDON);
    await deliver(later);
    await forward();
    expect(await orderOf(later)).toMatchObject({ state: "held", holdKind: "address" });
    expect(stateAtBrilliant(later)).toBeUndefined();
  });
});

describe("Settings: addresses without a 2-letter state", () => {
  it("saves the choice for the token's shop only and shows it; a page that leaves it out keeps it", async () => {
    expect(await settingsOf(SHOP)).toMatchObject({ subdivisionFallback: "hold" });
    expect((await saveSettings(SHOP, { subdivisionFallback: "country" })).status).toBe(200);
    expect(await settingsOf(SHOP)).toMatchObject({ subdivisionFallback: "country" });
    expect(await settingsOf(OTHER)).toMatchObject({ subdivisionFallback: "hold" });
    expect((await saveSettings(SHOP, {})).status).toBe(200);
    expect(await settingsOf(SHOP)).toMatchObject({ subdivisionFallback: "country" });
  });

  it("answers 422 on the field to a value it does not know, writing nothing", async () => {
    const before = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    for (const value of ["send", "", "COUNTRY"]) {
      const response = await saveSettings(SHOP, { subdivisionFallback: value, forwardingMode: "review" });
      expect(response.status).toBe(422);
      expect((await response.json()).fieldErrors).toMatchObject({
        subdivisionFallback: "Choose to hold these orders or to send the country code.",
      });
    }
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
  });
});
