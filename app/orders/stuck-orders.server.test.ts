import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { loader as home } from "../routes/app._index";
import { transition } from "./state.server";
import { refreshStuckOrderAlerts } from "./stuck-orders.server";

const SHOP = "stuck-orders.myshopify.com";
const OTHER = "stuck-orders-other.myshopify.com";
const HOURS_AGO = (hours: number) => new Date(Date.now() - hours * 60 * 60_000);

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
});

async function homeAlerts(shop: string) {
  const response = await callRoute(home, await adminRequest("/app", { shop }));
  return (
    (await response.json()) as {
      alerts: { kind: string; title: string; orders: { name: string }[]; fix: { url: string } | null }[];
    }
  ).alerts.filter((alert) => alert.kind === "stuck");
}

describe("orders not through hours after they came", () => {
  it("GIVEN orders retrying and being checked for 3 hours, one fresh and one forwarded WHEN the worker looks THEN Home shows one alert naming the two, which follows them and closes when they are through", async () => {
    const retrying = await orderInState(SHOP, "retrying", { name: "#S1", createdAt: HOURS_AGO(3) });
    const checked = await orderInState(SHOP, "unknown", { name: "#S2", createdAt: HOURS_AGO(3) });
    await orderInState(SHOP, "retrying", { name: "#S3", createdAt: HOURS_AGO(1) });
    await orderInState(SHOP, "forwarded", { name: "#S4", createdAt: HOURS_AGO(5) });
    await orderInState(OTHER, "forwarded", { name: "#O1", createdAt: HOURS_AGO(5) });

    expect(await refreshStuckOrderAlerts()).toBe(1);
    const [alert] = await homeAlerts(SHOP);
    expect(alert).toMatchObject({
      title: "2 orders are still not through, 2 hours after they came",
      fix: { url: "/app/orders?state=retrying" },
    });
    expect(alert!.orders.map((order) => order.name).sort()).toEqual(["#S1", "#S2"]);
    expect(await homeAlerts(OTHER)).toEqual([]);

    await transition({
      shop: SHOP,
      orderId: retrying,
      from: "retrying",
      to: "ready",
      actor: "worker",
      reason: "r",
    });
    await refreshStuckOrderAlerts();
    expect((await homeAlerts(SHOP))[0]!.orders.map((order) => order.name)).toEqual(["#S2"]);
    expect((await homeAlerts(SHOP))[0]!.title).toBe("1 order is still not through, 2 hours after it came");

    await transition({
      shop: SHOP,
      orderId: checked,
      from: "unknown",
      to: "forwarded",
      actor: "worker",
      reason: "f",
    });
    expect(await refreshStuckOrderAlerts()).toBe(0);
    expect(await homeAlerts(SHOP)).toEqual([]);
  });
});
