import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { raiseAlert } from "../models/alert.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { loader } from "./app._index";

const SHOP_A = "home-a.myshopify.com";
const SHOP_B = "home-b.myshopify.com";

interface HomeData {
  counts: Record<string, number>;
  alerts: {
    title: string;
    orders: { id: string; name: string; url: string }[];
    fix: { url: string } | null;
    variants: { label: string }[];
  }[];
  held: {
    total: number;
    orders: { id: string; name: string; reason: string; nextStep: { label: string; url: string } }[];
  };
  outcomes: { days: { day: string; codes: Record<string, number> }[]; codes: string[] };
  days: number;
}

describe("home page (app._index)", () => {
  let heldA: string;
  let heldB: string;

  beforeEach(async () => {
    await resetDatabase(prisma);
    await seedAdminShop(SHOP_A);
    await seedAdminShop(SHOP_B);
    heldA = await orderInState(SHOP_A, "held", {
      name: "#A1",
      holdKind: "mapping",
      reason: "Poster is not mapped.",
    });
    await orderInState(SHOP_A, "forwarded", { code: 1200 });
    await orderInState(SHOP_A, "retrying", { code: 3501 });
    heldB = await orderInState(SHOP_B, "held", { name: "#B1", holdKind: "address", reason: "B's address." });
    await raiseAlert({
      shop: SHOP_A,
      kind: "mapping",
      key: "mapping:variant:1073002",
      title: "Launch Poster cannot be sent to Brilliant",
      detail: "Map it.",
      orderIds: [heldA],
    });
    await raiseAlert({
      shop: SHOP_B,
      kind: "address",
      key: `address:order:${heldB}`,
      title: "B's address alert",
      detail: "Fix it.",
      orderIds: [heldB],
    });
  });

  it("GIVEN a staff member of shop A WHEN the home page loads THEN it shows only shop A's counts, alerts and held orders", async () => {
    const response = await callRoute(loader, await adminRequest("/app", { shop: SHOP_A }));
    expect(response.status).toBe(200);
    const data = (await response.json()) as HomeData;
    expect(data.counts).toMatchObject({ held: 1, forwarded: 1, retrying: 1, unknown: 0, waiting: 0 });
    expect(data.alerts.map((alert) => alert.title)).toEqual(["Launch Poster cannot be sent to Brilliant"]);
    expect(data.alerts[0]!.orders).toEqual([
      { id: heldA, name: "#A1", state: "held", url: `/app/orders/${heldA}` },
    ]);
    // The fix opens the variant the alert names, not the whole mappings list.
    expect(data.alerts[0]!.fix).toEqual({ label: "Map the variant", url: "/app/mappings/1073002" });
    expect(data.alerts[0]!.variants[0]!.label).toContain("1073002");
    expect(data.held.orders).toEqual([
      expect.objectContaining({
        id: heldA,
        name: "#A1",
        reason: "Poster is not mapped.",
        nextStep: { label: "Map the variant", url: "/app/mappings/1073002" },
      }),
    ]);
    expect(JSON.stringify(data)).not.toContain(heldB);
    expect(data.outcomes.days).toHaveLength(14);
  });

  it("GIVEN shop B WHEN it loads the home page THEN the address hold links to the address form on the order page", async () => {
    const data = (await (
      await callRoute(loader, await adminRequest("/app?days=30", { shop: SHOP_B }))
    ).json()) as HomeData;
    expect(data.days).toBe(30);
    expect(data.outcomes.days).toHaveLength(30);
    expect(data.held.orders[0]!.nextStep).toEqual({
      label: "Fix the shipping address",
      url: `/app/orders/${heldB}#shipping-address`,
    });
    expect(JSON.stringify(data)).not.toContain(heldA);
  });

  it("GIVEN a page load from the admin (id_token in the URL) THEN it is accepted as well", async () => {
    const response = await callRoute(loader, await adminRequest("/app", { shop: SHOP_A, kind: "document" }));
    expect(response.status).toBe(200);
  });

  it("GIVEN no session token THEN nothing is shown", async () => {
    const response = await callRoute(
      loader,
      new Request("https://brilliant-sync.test/app?_data=routes/app._index", {
        headers: { authorization: "Bearer not-a-token" },
      }),
    );
    expect(response.status).toBe(401);
  });
});
