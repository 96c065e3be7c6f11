import { describe, expect, it, vi } from "vitest";
import { createRequire } from "node:module";
import pino from "pino";
import prisma, { adapterOf, databaseKind } from "../db.server";
import { SqliteAdapterFactory, type BetterSqlite3Database } from "../db/driver-adapter.server";
import { FAILED_PASS_RETRY_MS } from "./forwarder.server";
import { runWorkerLoop } from "../worker/run.server";
import {
  faultOnCreate,
  forwardUntilSettled,
  ingest,
  makeForwarder,
  seedShopForForwarding,
  testOrder,
} from "../../tests/helpers/forwarding";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import {
  seedStandInSession,
  standInOrderFromRest,
  startStandIn,
  stopStandIn,
} from "../../tests/helpers/admin-graphql";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { FaultSpec } from "../../simulator/faults";

const SHOP = "forwarder-test.myshopify.com";
// Another connection to the database file, as another process has.
const Database = createRequire(require.resolve("@prisma/adapter-better-sqlite3"))("better-sqlite3") as new (
  file: string,
) => BetterSqlite3Database & { close(): void };
const world = withBrilliant(SHOP, {
  variants: [V.teeMedium, V.lowStock, V.inactive, V.untracked, V.stockNotRequired, 99_999],
});

async function orderNamed(name: string) {
  return prisma.order.findFirstOrThrow({
    where: { shop: SHOP, name },
    include: { attempts: { orderBy: { number: "asc" } }, transitions: { orderBy: { at: "asc" } } },
  });
}

/**
 * Order #T<number>, one tee, received and forwarded until settled, Brilliant
 * answering its first send with `fault` if given; the order as it ends.
 */
async function forwardTee(number: number, fault?: FaultSpec) {
  if (fault) faultOnCreate(world.sim, `#T${number}`, fault);
  await ingest(SHOP, testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]));
  await forwardUntilSettled([makeForwarder(world.sim.url)]);
  return orderNamed(`#T${number}`);
}

describe("forwarding an order", () => {
  it("GIVEN a mapped paid order WHEN the worker runs THEN Brilliant gets it once and the 1200 answer is stored", async () => {
    await ingest(
      SHOP,
      testOrder(1, [
        { variant: V.teeMedium, quantity: 2 },
        { variant: V.untracked, quantity: 1 },
      ]),
    );
    await forwardUntilSettled([makeForwarder(world.sim.url)]);

    const order = await orderNamed("#T1");
    expect(order.state).toBe("forwarded");
    expect(order.lastCode).toBe(1200);
    expect(order.brilliantOrderId).toMatch(/^\d+$/);
    expect(order.attempts).toHaveLength(1);
    const attempt = order.attempts[0]!;
    expect(attempt).toMatchObject({ kind: "create", outcome: "accepted", httpStatus: 200, code: 1200 });
    expect(JSON.parse(attempt.requestBody!)).toMatchObject({
      order_items: [
        { variant_id: V.teeMedium, quantity: 2 },
        { variant_id: V.untracked, quantity: 1 },
      ],
      shipping_address: { state: "TX", country: "US" },
      custom_data: { shopify_shop: SHOP, shopify_order_id: "900001", shopify_order_name: "#T1" },
    });
    expect(JSON.parse(attempt.responseBody!).code).toBe(1200);
    expect(order.transitions.map((t) => `${t.fromState ?? ""}>${t.toState}`)).toEqual([
      ">received",
      "received>sending",
      "sending>forwarded",
    ]);
    expect(world.sim.ordersForShopifyOrder("900001")).toHaveLength(1);
  });

  it.each([
    [
      "2502: a mapped variant Brilliant does not have",
      2,
      [{ variant: 99_999, quantity: 1 }],
      "mapping",
      2502,
      "mapping",
    ],
    ["2503: too little stock", 3, [{ variant: V.lowStock, quantity: 5 }], "stock", 2503, "stock"],
    [
      "2506: inactive variant",
      4,
      [{ variant: V.inactive, quantity: 1 }],
      "inactive_variant",
      2506,
      "inactive_variant",
    ],
  ] as const)(
    "holds on %s, with the reason and an alert",
    async (_label, number, lines, holdKind, code, alertKind) => {
      await ingest(SHOP, testOrder(number, [...lines]));
      await forwardUntilSettled([makeForwarder(world.sim.url)]);
      const order = await orderNamed(`#T${number}`);
      expect(order).toMatchObject({ state: "held", holdKind, lastCode: code });
      expect(order.stateReason).toBeTruthy();
      expect(order.attempts[0]!.invalidRecords).not.toBeNull();
      const alerts = await prisma.alert.findMany({
        where: { shop: SHOP, kind: alertKind },
        include: { orders: true },
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.orders.map((link) => link.orderId)).toEqual([order.id]);
      expect(world.sim.acceptedOrders()).toHaveLength(0);
    },
  );

  it("holds on 2501 from Brilliant with the address reason and an address alert", async () => {
    const order = await forwardTee(5, {
      kind: "code",
      code: 2501,
      httpStatus: 422,
      message: "Address state State must be a valid 2 character state abbreviation",
    });
    expect(order).toMatchObject({ state: "held", holdKind: "address", lastCode: 2501 });
    expect(order.stateReason).toMatch(/Fix the shipping address/);
    expect(await prisma.alert.count({ where: { kind: "address" } })).toBe(1);
  });

  it.each([2504, 2505])(
    "holds on %i as the app's own error, visible, never retried blindly",
    async (code) => {
      const order = await forwardTee(6, { kind: "code", code, httpStatus: 422 });
      expect(order).toMatchObject({ state: "held", holdKind: "app_error", lastCode: code });
      expect(order.attempts).toHaveLength(1);
      expect(await prisma.alert.count({ where: { kind: "brilliant_error" } })).toBe(1);
    },
  );

  it.each([
    ["3501", { kind: "code3501" }],
    ["HTTP 503", { kind: "http503", retryAfterSeconds: 0 }],
    ["HTTP 429", { kind: "http429", retryAfterSeconds: 0 }],
  ] as const)("retries after %s (certainly not created) and then forwards once", async (_label, fault) => {
    const order = await forwardTee(7, fault as FaultSpec);
    expect(order.state).toBe("forwarded");
    expect(order.attempts.map((a) => a.outcome)).toEqual([
      fault.kind === "http429" ? "throttled" : "retryable",
      "accepted",
    ]);
    expect(order.transitions.map((t) => t.toState)).toContain("retrying");
    expect(world.sim.ordersForShopifyOrder("900007")).toHaveLength(1);
  });

  it.each([
    ["1500 after creating it", { kind: "code1500", created: true }],
    ["3502 after creating it", { kind: "code3502", created: true }],
    ["3503 after creating it", { kind: "code3503", created: true }],
    ["HTTP 500 after creating it", { kind: "http500", created: true }],
    ["a reset after creating it", { kind: "reset", created: true }],
    ["a timeout after creating it", { kind: "timeout", created: true, ms: 3_000 }],
    ["a non-JSON body after creating it", { kind: "non_json", created: true }],
  ] as const)("finds the order at Brilliant after %s instead of sending it twice", async (_label, fault) => {
    const order = await forwardTee(8, fault as FaultSpec);
    expect(order.state).toBe("forwarded");
    expect(order.brilliantOrderId).toBe(String(world.sim.ordersForShopifyOrder("900008")[0]!.order.id));
    expect(order.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual(["create:unknown", "lookup:found"]);
    expect(order.transitions.map((t) => t.toState)).toEqual(["received", "sending", "unknown", "forwarded"]);
    expect(world.sim.ordersForShopifyOrder("900008")).toHaveLength(1);
  });

  it.each([
    ["1500", { kind: "code1500" }],
    ["a reset", { kind: "reset" }],
    ["an undocumented code", { kind: "code", code: 4242 }],
  ] as const)("looks up after %s that did not create it, then sends it once", async (_label, fault) => {
    const order = await forwardTee(9, fault as FaultSpec);
    expect(order.state).toBe("forwarded");
    expect(order.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual([
      "create:unknown",
      "lookup:not_found",
      "create:accepted",
    ]);
    expect(world.sim.ordersForShopifyOrder("900009")).toHaveLength(1);
    if (fault.kind === "code") {
      expect(await prisma.alert.count({ where: { kind: "brilliant_error" } })).toBe(1);
      expect(order.attempts[0]!.code).toBe(4242);
    }
  });

  it("holds every order when Brilliant refuses the credentials (401), with a credentials alert", async () => {
    await seedShopForForwarding(SHOP, { key: "wrong", secret: "wrong" });
    expect(await forwardTee(10)).toMatchObject({ state: "held", holdKind: "credentials" });
    expect(await prisma.alert.count({ where: { kind: "credentials", status: "open" } })).toBe(1);
  });

  it("holds without calling Brilliant when no credentials are saved", async () => {
    await prisma.shopSettings.update({
      where: { shop: SHOP },
      data: { brilliantApiKeyEnc: null, brilliantApiSecretEnc: null },
    });
    expect(await forwardTee(11)).toMatchObject({ state: "held", holdKind: "credentials" });
    expect(world.sim.requests).toHaveLength(0);
  });
});

describe("pre-flight holds, skips and the shop's rules", () => {
  it("holds an unmapped variant and an address without a state code without calling Brilliant", async () => {
    await ingest(SHOP, { ...testOrder(20, [{ variant: 12_345, quantity: 1 }]) });
    await ingest(
      SHOP,
      testOrder(21, [{ variant: V.teeMedium, quantity: 1 }], {
        shipping_address: {
          name: "A",
          address1: "1 St",
          city: "Toronto",
          province: "Ontario",
          province_code: null,
          zip: "M5V",
          country_code: "CA",
        },
      }),
    );
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await orderNamed("#T20")).toMatchObject({ state: "held", holdKind: "mapping", lastCode: 2502 });
    expect(await orderNamed("#T21")).toMatchObject({ state: "held", holdKind: "address", lastCode: 2501 });
    expect(world.sim.requests).toHaveLength(0);
  });

  it("skips tagged orders, holds hold-tagged ones, and holds everything for review when review-first is on", async () => {
    await prisma.shopSettings.update({
      where: { shop: SHOP },
      data: { skipTags: "wholesale", holdTags: "check-me" },
    });
    await ingest(SHOP, testOrder(22, [{ variant: V.teeMedium, quantity: 1 }], { tags: "VIP, Wholesale" }));
    await ingest(SHOP, testOrder(23, [{ variant: V.teeMedium, quantity: 1 }], { tags: "check-me" }));
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await orderNamed("#T22")).toMatchObject({ state: "skipped" });
    expect(await orderNamed("#T23")).toMatchObject({ state: "held", holdKind: "hold_tag" });

    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingMode: "review" } });
    await ingest(SHOP, testOrder(24, [{ variant: V.teeMedium, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await orderNamed("#T24")).toMatchObject({ state: "held", holdKind: "review" });
    expect(world.sim.acceptedOrders()).toHaveLength(0);
  });

  it("waits out the forwarding delay, reads the order's tags and cancellation from Shopify again, then sends it", async () => {
    // The last look at Shopify is app/orders/reread-after-delay.server.test.ts's subject.
    const standIn = await startStandIn([SHOP]);
    try {
      await seedStandInSession(SHOP);
      await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingDelaySeconds: 1 } });
      const body = testOrder(25, [{ variant: V.teeMedium, quantity: 1 }]);
      standIn.setOrders(SHOP, [standInOrderFromRest(body)]);
      await ingest(SHOP, body);
      const forwarder = makeForwarder(world.sim.url);
      await Promise.all((await forwarder.claimDue(10)).map((order) => forwarder.process(order)));
      expect(await orderNamed("#T25")).toMatchObject({ state: "waiting" });
      expect(await forwarder.claimDue(10)).toHaveLength(0);
      await forwardUntilSettled([forwarder]);
      const order = await orderNamed("#T25");
      expect(order.state).toBe("forwarded");
      expect(order.transitions.map((t) => t.toState)).toEqual([
        "received",
        "waiting",
        "sending",
        "forwarded",
      ]);
      expect(standIn.requests.map((request) => request.operation)).toEqual(["ReadOrderBeforeSending"]);
    } finally {
      await stopStandIn(standIn);
    }
  });

  it("skips an order with nothing to ship", async () => {
    await ingest(
      SHOP,
      testOrder(26, [{ variant: V.teeMedium, quantity: 1 }], {
        line_items: [{ id: 1, variant_id: 5, title: "Gift card", quantity: 1, gift_card: true }],
      }),
    );
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await orderNamed("#T26")).toMatchObject({ state: "skipped" });
  });

  it("applies the merchant's line changes; holds an order whose changes cannot be read rather than send it as Shopify sent it", async () => {
    const withChanges = async (number: number, lineChanges: string) => {
      const { orderId } = await ingest(
        SHOP,
        testOrder(number, [
          { variant: V.teeMedium, quantity: 1 },
          { variant: V.untracked, quantity: 2 },
        ]),
      );
      await prisma.order.update({ where: { id: orderId }, data: { lineChanges } });
    };
    const at = new Date().toISOString();
    await withChanges(
      27,
      JSON.stringify([
        { lineItemId: "2700", action: "omit", at },
        { lineItemId: "2701", action: "substitute", brilliantVariantId: String(V.stockNotRequired), at },
      ]),
    );
    await withChanges(28, "not json");
    // A substitute Brilliant refuses is named by the merchant's line, as a mapped one is.
    await withChanges(
      29,
      JSON.stringify([{ lineItemId: "2901", action: "substitute", brilliantVariantId: "99998", at }]),
    );
    await forwardUntilSettled([makeForwarder(world.sim.url)]);

    const sent = await orderNamed("#T27");
    expect(sent.state).toBe("forwarded");
    expect(JSON.parse(sent.attempts[0]!.requestBody!).order_items).toEqual([
      { variant_id: V.stockNotRequired, quantity: 2 },
    ]);
    expect(await orderNamed("#T28")).toMatchObject({ state: "held", holdKind: "app_error" });
    const refused = await orderNamed("#T29");
    expect(refused).toMatchObject({ state: "held", holdKind: "mapping", lastCode: 2502 });
    expect(refused.stateReason).toContain(`Item ${V.untracked}`);
    expect(world.sim.ordersForShopifyOrder("900028")).toHaveLength(0);
  });
});

describe("leases and crashes", () => {
  it("two workers racing over the same orders send each exactly once", async () => {
    for (let n = 100; n < 140; n++) await ingest(SHOP, testOrder(n, [{ variant: V.untracked, quantity: 1 }]));
    await forwardUntilSettled([
      makeForwarder(world.sim.url, { workerId: "a" }),
      makeForwarder(world.sim.url, { workerId: "b" }),
    ]);
    expect(await prisma.order.count({ where: { state: "forwarded" } })).toBe(40);
    const perOrder = new Map<string, number>();
    for (const record of world.sim.acceptedOrders()) {
      const id = String(record.order.custom_data?.["shopify_order_id"]);
      perOrder.set(id, (perOrder.get(id) ?? 0) + 1);
    }
    expect(perOrder.size).toBe(40);
    expect([...perOrder.values()].every((count) => count === 1)).toBe(true);
  });

  it("a pass that fails unexpectedly lets the order go again within seconds, looked up before any resend", async () => {
    await ingest(SHOP, testOrder(31, [{ variant: V.teeMedium, quantity: 1 }]));
    const failing = makeForwarder(world.sim.url, { workerId: "failing", leaseMs: 60_000 });
    // A fault of our own once the order is `sending`, before Brilliant is called.
    vi.spyOn(failing, "clientFor").mockImplementation(() => {
      throw new Error("a bug of ours");
    });
    const [claimed] = await failing.claimDue(1);
    const before = Date.now();
    expect(await failing.process(claimed!)).toEqual({});

    const left = await orderNamed("#T31");
    expect(left.state).toBe("sending");
    // Not the whole 60 s lease: FAILED_PASS_RETRY_MS.
    expect(left.leaseExpiresAt!.getTime()).toBeLessThanOrEqual(before + FAILED_PASS_RETRY_MS + 1_000);

    // Once that has passed, the next worker looks it up (absent) and sends it once.
    const later = () => new Date(Date.now() + FAILED_PASS_RETRY_MS + 1_000);
    await forwardUntilSettled([makeForwarder(world.sim.url, { workerId: "next", now: later })]);
    const order = await orderNamed("#T31");
    expect(order.state).toBe("forwarded");
    expect(order.transitions.map((t) => t.toState)).toContain("unknown");
    expect(order.attempts.map((a) => a.kind)).toEqual(["lookup", "create"]);
    expect(world.sim.ordersForShopifyOrder("900031")).toHaveLength(1);
  });

  it("a worker that died mid-send leaves the order to be looked up, never resent blindly", async () => {
    // GIVEN Brilliant created the order, but the worker died before recording the answer
    await ingest(SHOP, testOrder(30, [{ variant: V.teeMedium, quantity: 1 }]));
    const dead = makeForwarder(world.sim.url, { workerId: "dead", leaseMs: 1 });
    const [claimed] = await dead.claimDue(1);
    await prisma.order.update({
      where: { id: claimed!.id },
      data: { state: "sending", leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    await prisma.forwardAttempt.deleteMany();
    const { createBrilliantClient } = await import("../integrations/brilliant/client.server");
    const client = createBrilliantClient({
      baseUrl: world.sim.url,
      apiKey: "sim-key",
      apiSecret: "sim-secret",
    });
    const body = testOrder(30, []);
    await client.createOrder({
      order_items: [{ variant_id: V.teeMedium, quantity: 1 }],
      shipping_address: {
        name: "Test Buyer",
        address_1: "1 Test St",
        city: "Austin",
        state: "TX",
        postal_code: "73301",
        country: "US",
      },
      custom_data: { shopify_shop: SHOP, shopify_order_id: String(body.id), shopify_order_name: body.name },
      webhook_url: "https://brilliant-sync.test/brilliant/status/x",
    });

    // WHEN another worker comes along
    await forwardUntilSettled([makeForwarder(world.sim.url, { workerId: "next" })]);

    // THEN it finds the order at Brilliant and never sends a second one
    const order = await orderNamed("#T30");
    expect(order.state).toBe("forwarded");
    expect(order.transitions.map((t) => t.toState)).toContain("unknown");
    expect(world.sim.ordersForShopifyOrder("900030")).toHaveLength(1);
  });
});

describe("claiming", () => {
  const B = "claim-b.myshopify.com";
  const C = "claim-c.myshopify.com";

  async function orderIn(
    shop: string,
    number: number,
    data: Parameters<typeof prisma.order.update>[0]["data"] = {},
  ) {
    const body = testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]);
    await ingest(shop, body);
    return prisma.order.update({
      where: { shop_shopifyOrderId: { shop, shopifyOrderId: String(body.id) } },
      data: { nextAttemptAt: new Date(Date.now() - 1_000), ...data },
    });
  }

  it("GIVEN shops left out at their limit WHEN a worker claims THEN it takes only other shops' due, unleased orders, in any due state", async () => {
    for (let n = 60; n < 65; n++) await orderIn(SHOP, n);
    const dueB = await orderIn(B, 70);
    await orderIn(B, 71, { leaseOwner: "another-worker", leaseExpiresAt: new Date(Date.now() + 60_000) });
    await orderIn(B, 72, { state: "retrying", nextAttemptAt: new Date(Date.now() + 60_000) });
    const dueC = await orderIn(C, 80, { state: "retrying" });
    const unknownC = await orderIn(C, 81, { state: "unknown" });
    const forwarder = makeForwarder(world.sim.url, { workerId: "claimer" });

    const claimed = await forwarder.claimDue(10, [SHOP]);
    expect(claimed.map((order) => order.id).sort()).toEqual([dueB.id, dueC.id, unknownC.id].sort());
    expect(claimed.every((order) => order.leaseOwner === "claimer")).toBe(true);
    // Claimed once: a second claim by another worker finds nothing left.
    expect(await makeForwarder(world.sim.url, { workerId: "second" }).claimDue(10, [SHOP])).toEqual([]);
    expect(await forwarder.claimDue(10, [SHOP, B, C])).toEqual([]);
  });

  it("GIVEN shops left out WHEN the worker is still busy with an order THEN it does not claim that one again, and takes the oldest first", async () => {
    await orderIn(SHOP, 90);
    const older = await orderIn(B, 91, { nextAttemptAt: new Date(Date.now() - 5_000) });
    const newer = await orderIn(C, 92, { nextAttemptAt: new Date(Date.now() - 2_000) });
    const busy = await orderIn(C, 93, { nextAttemptAt: new Date(Date.now() - 9_000) });
    const forwarder = makeForwarder(world.sim.url);
    const claimed = await forwarder.claimDue(2, [SHOP], [busy.id]);
    expect(claimed.map((order) => order.id)).toEqual([older.id, newer.id]);
  });
});

describe("an idle worker on SQLite", () => {
  it.runIf(databaseKind() === "sqlite")(
    "GIVEN nothing to do WHEN another process commits an order THEN the worker sends it without waiting for its next poll",
    async () => {
      // An order recorded, but not due until another process (the web server, in production) says so.
      await ingest(SHOP, testOrder(95, [{ variant: V.teeMedium, quantity: 1 }]));
      await prisma.order.updateMany({ data: { nextAttemptAt: new Date(Date.now() + 60_000) } });

      const lines: string[] = [];
      const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
      const forwarder = makeForwarder(world.sim.url, { workerId: "idle", logger });
      const stop = new AbortController();
      // A poll far longer than the test may take: only the other process's commit can wake it.
      const loop = runWorkerLoop({
        forwarder,
        pollMs: 60_000,
        concurrency: 4,
        perShopConcurrency: 4,
        signal: stop.signal,
        logger,
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await prisma.order.count({ where: { state: "forwarded" } })).toBe(0);
        const before = await forwarder.othersCommits();

        const { adapter } = adapterOf(prisma);
        if (!(adapter instanceof SqliteAdapterFactory)) throw new Error("expected SQLite");
        const other = new Database(adapter.file);
        try {
          // Without waiting in SQLite, which would stop this process (the worker too) while it waits.
          other.prepare("PRAGMA busy_timeout = 0").run();
          const due = new Date(Date.now() - 1_000).toISOString().replace("Z", "+00:00");
          await vi.waitFor(() => other.prepare(`UPDATE "Order" SET "nextAttemptAt" = ?`).run(due), {
            timeout: 5_000,
            interval: 5,
          });
        } finally {
          other.close();
        }
        expect(await forwarder.othersCommits()).not.toBe(before);

        await vi.waitFor(
          async () =>
            expect(await prisma.order.count({ where: { state: "forwarded" } }), lines.join("\n")).toBe(1),
          { timeout: 10_000, interval: 20 },
        );
      } finally {
        stop.abort();
        await loop;
      }
    },
    20_000,
  );
});
