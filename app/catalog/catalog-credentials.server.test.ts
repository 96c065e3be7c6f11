import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { syncBrilliantCatalog } from "./brilliant-catalog.server";

// The credentials alert closes when its cause is gone: a catalog read that
// Brilliant refuses raises it; the next one Brilliant takes closes it.

const SHOP = "catalog-credentials.myshopify.com";
const world = withBrilliant(SHOP);
const clientWith = (apiKey: string) =>
  createBrilliantClient({ baseUrl: world.sim.url, apiKey, apiSecret: SIM_API_SECRET });
const openAlerts = () =>
  prisma.alert.findMany({ where: { shop: SHOP, status: "open" }, select: { kind: true } });

describe("the credentials alert and the catalog sync", () => {
  it("GIVEN a catalog read Brilliant refused WHEN a later read is taken THEN the credentials alert, which has no orders, is resolved", async () => {
    expect(await syncBrilliantCatalog(SHOP, clientWith("refused-key"))).toMatchObject({ ok: false });
    expect(await openAlerts()).toEqual([{ kind: "credentials" }]);

    expect(await syncBrilliantCatalog(SHOP, clientWith(SIM_API_KEY))).toMatchObject({ ok: true });
    expect((await openAlerts()).filter((alert) => alert.kind === "credentials")).toEqual([]);
  });
});
