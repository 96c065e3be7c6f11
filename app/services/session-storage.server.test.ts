import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { resetDatabase } from "../../tests/helpers/db";
import prisma from "../db.server";
import { AppSessionStorage } from "./session-storage.server";

describe("AppSessionStorage", () => {
  beforeEach(() => resetDatabase(prisma));
  afterAll(() => prisma.$disconnect());

  it("loads exactly what Shopify's Prisma storage loads, online and offline", async () => {
    const storage = new AppSessionStorage(prisma);
    const library = new PrismaSessionStorage(prisma);
    const offline = new Session({
      id: "offline_a.myshopify.com",
      shop: "a.myshopify.com",
      state: "s1",
      isOnline: false,
      scope: "read_orders,read_products",
      accessToken: "shpat_1",
    });
    const online = new Session({
      id: "a.myshopify.com_42",
      shop: "a.myshopify.com",
      state: "s2",
      isOnline: true,
      scope: "read_orders",
      accessToken: "shpua_2",
      expires: new Date("2030-01-02T03:04:05.000Z"),
      onlineAccessInfo: {
        expires_in: 3600,
        associated_user_scope: "read_orders",
        associated_user: {
          id: 42,
          first_name: "Ada",
          last_name: "Lovelace",
          email: "ada@example.com",
          email_verified: true,
          account_owner: true,
          locale: "en",
          collaborator: false,
        },
      },
    });
    await storage.storeSession(offline);
    await storage.storeSession(online);

    for (const id of [offline.id, online.id]) {
      const mine = await storage.loadSession(id);
      const theirs = await library.loadSession(id);
      expect(mine?.toPropertyArray(true)).toEqual(theirs?.toPropertyArray(true));
      expect(mine?.isActive("read_orders")).toBe(true);
    }
    expect(await storage.loadSession("offline_nobody.myshopify.com")).toBeUndefined();
  });

  it("sees a token another process stored at once (nothing is cached)", async () => {
    const storage = new AppSessionStorage(prisma);
    const id = "offline_b.myshopify.com";
    await storage.storeSession(
      new Session({ id, shop: "b.myshopify.com", state: "", isOnline: false, accessToken: "old" }),
    );
    expect((await storage.loadSession(id))?.accessToken).toBe("old");
    await prisma.session.update({ where: { id }, data: { accessToken: "new" } });
    expect((await storage.loadSession(id))?.accessToken).toBe("new");
  });
});
