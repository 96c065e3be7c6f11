import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  mapVariants,
  seedShopForForwarding,
  testOrder,
} from "../../tests/helpers/forwarding";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator, type RunningSimulator } from "../../simulator/server";
import { resubmitOrders, retryNow, skipOrders } from "./actions.server";
import { saveBrilliantCredentials } from "../models/shop.server";

const SHOP = "actions-test.myshopify.com";
const OTHER_SHOP = "someone-else.myshopify.com";
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  await resetDatabase(prisma);
  await seedShopForForwarding(SHOP);
  await mapVariants(SHOP, [V.teeMedium]);
});

const byName = (name: string) => prisma.order.findFirstOrThrow({ where: { name } });

describe("order actions", () => {
  it("GIVEN an order held for review WHEN the merchant resubmits it THEN it goes out once", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingMode: "review" } });
    await ingest(SHOP, testOrder(1, [{ variant: V.teeMedium, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(sim.url)]);
    const held = await byName("#T1");
    expect(held).toMatchObject({ state: "held", holdKind: "review" });

    const summary = await resubmitOrders(SHOP, [held.id]);
    expect(summary.changed).toEqual([held.id]);
    await forwardUntilSettled([makeForwarder(sim.url)]);

    expect(await byName("#T1")).toMatchObject({ state: "forwarded" });
    expect(sim.ordersForShopifyOrder("900001")).toHaveLength(1);
  });

  it("GIVEN an order held for an unmapped variant WHEN the merchant maps it THEN it is released without a resubmit and the alert closes", async () => {
    await ingest(SHOP, testOrder(7, [{ variant: V.untracked, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(sim.url)]);
    expect(await byName("#T7")).toMatchObject({ state: "held", holdKind: "mapping" });
    expect(await prisma.alert.count({ where: { status: "open", kind: "mapping" } })).toBe(1);

    await mapVariants(SHOP, [V.untracked]);
    expect(await byName("#T7")).toMatchObject({ state: "ready" });
    expect(await prisma.alert.count({ where: { status: "open" } })).toBe(0);
    await forwardUntilSettled([makeForwarder(sim.url)]);
    expect(await byName("#T7")).toMatchObject({ state: "forwarded" });
  });

  it("saving credentials releases the orders held for missing credentials", async () => {
    await prisma.shopSettings.update({
      where: { shop: SHOP },
      data: { brilliantApiKeyEnc: null, brilliantApiSecretEnc: null },
    });
    await ingest(SHOP, testOrder(2, [{ variant: V.teeMedium, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(sim.url)]);
    expect(await byName("#T2")).toMatchObject({ state: "held", holdKind: "credentials" });

    await saveBrilliantCredentials(SHOP, { apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
    expect(await byName("#T2")).toMatchObject({ state: "ready" });
    await forwardUntilSettled([makeForwarder(sim.url)]);
    expect(await byName("#T2")).toMatchObject({ state: "forwarded" });
  });

  it("retry now brings a retrying order's next attempt forward; skip takes a held order out", async () => {
    sim.scriptFault({ match: { endpoint: "POST /store/order" }, fault: { kind: "code3501" }, times: 1 });
    await ingest(SHOP, testOrder(3, [{ variant: V.teeMedium, quantity: 1 }]));
    const forwarder = makeForwarder(sim.url, { retryBaseMs: 3_600_000, retryMaxMs: 3_600_000 });
    await Promise.all((await forwarder.claimDue(5)).map((order) => forwarder.process(order)));
    const retrying = await byName("#T3");
    expect(retrying.state).toBe("retrying");
    expect(retrying.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect((await retryNow(SHOP, [retrying.id])).changed).toEqual([retrying.id]);
    await forwardUntilSettled([forwarder]);
    expect(await byName("#T3")).toMatchObject({ state: "forwarded" });

    await ingest(SHOP, testOrder(4, [{ variant: 4242, quantity: 1 }]));
    await forwardUntilSettled([forwarder]);
    const held = await byName("#T4");
    expect((await skipOrders(SHOP, [held.id])).changed).toEqual([held.id]);
    expect(await byName("#T4")).toMatchObject({ state: "skipped" });
  });

  it("never touches another shop's orders, and says why an order was left alone", async () => {
    await ingest(SHOP, testOrder(5, [{ variant: 4242, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(sim.url)]);
    const held = await byName("#T5");
    const summary = await resubmitOrders(OTHER_SHOP, [held.id]);
    expect(summary.changed).toEqual([]);
    expect(summary.unchanged).toEqual([{ orderId: held.id, why: "no such order in this shop" }]);
    expect(await byName("#T5")).toMatchObject({ state: "held" });

    await ingest(SHOP, testOrder(6, [{ variant: V.teeMedium, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(sim.url)]);
    const forwarded = await byName("#T6");
    expect((await resubmitOrders(SHOP, [forwarded.id])).unchanged[0]!.why).toMatch(/it is forwarded/);
  });
});
