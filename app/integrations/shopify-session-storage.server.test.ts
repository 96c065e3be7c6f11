import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

import { resetDatabase } from "../../tests/helpers/db";
import prisma from "../db.server";
import { deleteShopData } from "../orders/compliance/shop-redact.server";
import { markShopUninstalled, updateSessionScopes } from "../models/shop.server";
import { AppSessionStorage, SESSION_REUSE_MS } from "./shopify-session-storage.server";

describe("AppSessionStorage", () => {
  beforeEach(() => resetDatabase(prisma));
  afterAll(() => prisma.$disconnect());

  it("loads what Shopify's Prisma storage loads, online and offline, with the tokens decrypted", async () => {
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

    // Read, then reused. The library reads the stored ciphertext; everything else is the same.
    const tokens: Record<string, string> = { [offline.id]: "shpat_1", [online.id]: "shpua_2" };
    for (const id of [offline.id, online.id, offline.id, online.id]) {
      const mine = await storage.loadSession(id);
      const theirs = await library.loadSession(id);
      expect(theirs?.accessToken).toMatch(/^v1\./);
      expect(mine?.accessToken).toBe(tokens[id]);
      expect(mine?.constructor).toBe(theirs?.constructor);
      const withToken = (session: Session | undefined) =>
        session?.toPropertyArray(true).filter(([key]) => key !== "accessToken");
      expect(withToken(mine)).toEqual(withToken(theirs));
      expect({ ...mine?.toObject(), accessToken: "" }).toEqual({ ...theirs?.toObject(), accessToken: "" });
      expect(mine?.isActive("read_orders")).toBe(true);
    }
    expect(await storage.loadSession("offline_nobody.myshopify.com")).toBeUndefined();
  });

  it("reuses a session it read for a moment, then reads another process's change", async () => {
    const storage = new AppSessionStorage(prisma);
    const id = "offline_b.myshopify.com";
    await storage.storeSession(
      new Session({ id, shop: "b.myshopify.com", state: "", isOnline: false, accessToken: "old" }),
    );
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      expect((await storage.loadSession(id))?.accessToken).toBe("old");
      // Another process (another web server, say) stores a new token.
      await prisma.session.update({ where: { id }, data: { accessToken: "new" } });
      expect((await storage.loadSession(id))?.accessToken).toBe("old");
      vi.advanceTimersByTime(SESSION_REUSE_MS + 1);
      expect((await storage.loadSession(id))?.accessToken).toBe("new");
    } finally {
      vi.useRealTimers();
    }
  });

  it("sees what this process stores or deletes at once, through the storage or the models", async () => {
    const storage = new AppSessionStorage(prisma);
    const shop = "c.myshopify.com";
    const id = `offline_${shop}`;
    const session = (accessToken: string) =>
      new Session({ id, shop, state: "", isOnline: false, scope: "read_orders", accessToken });

    await storage.storeSession(session("first"));
    expect((await storage.loadSession(id))?.accessToken).toBe("first");
    await storage.storeSession(session("second"));
    expect((await storage.loadSession(id))?.accessToken).toBe("second");
    await storage.deleteSession(id);
    expect(await storage.loadSession(id)).toBeUndefined();

    await storage.storeSession(session("third"));
    expect((await storage.loadSession(id))?.accessToken).toBe("third");
    await storage.deleteSessions([id]);
    expect(await storage.loadSession(id)).toBeUndefined();

    // app/scopes_update and app/uninstalled change the table through Prisma.
    await storage.storeSession(session("fourth"));
    expect((await storage.loadSession(id))?.scope).toBe("read_orders");
    await updateSessionScopes(shop, ["read_orders", "write_orders"]);
    expect((await storage.loadSession(id))?.scope).toBe("read_orders,write_orders");
    await markShopUninstalled(shop);
    expect(await storage.loadSession(id)).toBeUndefined();

    // shop/redact too.
    await storage.storeSession(session("fifth"));
    expect((await storage.loadSession(id))?.accessToken).toBe("fifth");
    await deleteShopData(shop);
    expect(await storage.loadSession(id)).toBeUndefined();
  });

  it("gives each caller a Session of its own", async () => {
    const storage = new AppSessionStorage(prisma);
    const id = "offline_d.myshopify.com";
    await storage.storeSession(
      new Session({ id, shop: "d.myshopify.com", state: "", isOnline: false, accessToken: "token" }),
    );
    const first = await storage.loadSession(id);
    first!.accessToken = "changed by a caller";
    const second = await storage.loadSession(id);
    expect(second).not.toBe(first);
    expect(second?.accessToken).toBe("token");
  });

  it("does not keep a read that raced a change of the session", async () => {
    const storage = new AppSessionStorage(prisma);
    const id = "offline_e.myshopify.com";
    const session = (accessToken: string) =>
      new Session({ id, shop: "e.myshopify.com", state: "", isOnline: false, accessToken });
    await storage.storeSession(session("old"));
    // A load and a store at once: whichever the load saw, the next load sees the store.
    const [raced] = await Promise.all([storage.loadSession(id), storage.storeSession(session("new"))]);
    expect(["old", "new"]).toContain(raced?.accessToken);
    expect((await storage.loadSession(id))?.accessToken).toBe("new");
  });
});
