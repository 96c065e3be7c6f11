import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NOTABLE_VARIANT_IDS } from "../../../simulator/catalog";
import {
  SIM_API_KEY,
  SIM_API_SECRET,
  startSimulator,
  type RunningSimulator,
} from "../../../simulator/server";
import { closedPort, validOrderRequest } from "../../../simulator/test-helpers";
import { BrilliantConfigError, createBrilliantClient, type BrilliantClient } from "./client.server";
import { parseRetryAfter } from "./classify";
import { creationCertainty, type CreateOrderOutcome } from "./outcome";
import type { CreateOrderRequest } from "./schemas";

// GIVEN the simulator over real HTTP, WHEN the client calls it, THEN every
// answer becomes the documented outcome and nothing throws.

const order = (overrides: Record<string, unknown> = {}) =>
  validOrderRequest(overrides) as unknown as CreateOrderRequest;
const address = order().shipping_address;

function expectNoSecret(outcome: unknown): void {
  const text = JSON.stringify(outcome);
  expect(text).not.toContain(SIM_API_SECRET);
  expect(text).not.toContain(Buffer.from(`${SIM_API_KEY}:${SIM_API_SECRET}`).toString("base64"));
}

function expectAttemptRecord(outcome: CreateOrderOutcome): void {
  expect(outcome.request).toEqual({
    method: "POST",
    path: "/V2/store/order",
    body: expect.any(Object),
  });
  expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  expect(Number.isNaN(Date.parse(outcome.startedAt))).toBe(false);
  expectNoSecret(outcome);
}

describe("Brilliant client against the simulator", () => {
  let sim: RunningSimulator;
  let client: BrilliantClient;
  /** A client of the simulator with its credentials, `options` on top. */
  const simulatorClient = (options: { apiSecret?: string; timeoutMs?: number } = {}) =>
    createBrilliantClient({ baseUrl: sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, ...options });

  beforeAll(async () => {
    sim = await startSimulator();
    client = simulatorClient({ timeoutMs: 2000 });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });

  describe("createOrder", () => {
    it("1200 → accepted, with Brilliant's id and the attempt's record", async () => {
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({
        kind: "accepted",
        httpStatus: 200,
        code: 1200,
        message: "Looks good.",
      });
      if (outcome.kind !== "accepted") throw new Error("expected accepted");
      const stored = sim.acceptedOrders()[0];
      expect(outcome.brilliantOrderId).toBe(String(stored?.order.id));
      expect(outcome.order.order_items?.[0]).toMatchObject({
        variant_id: NOTABLE_VARIANT_IDS.teeMedium,
        notes: "Gift wrap",
      });
      expect(outcome.request.body).toEqual(order());
      expect(JSON.parse(outcome.rawBody ?? "")).toMatchObject({ code: 1200 });
      expect(creationCertainty(outcome)).toBe("created");
      expectAttemptRecord(outcome);
    });

    it("1200 without an id → accepted with brilliantOrderId null", async () => {
      sim.configure({ omitOrderIdInCreateResponse: true });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({ kind: "accepted", brilliantOrderId: null, code: 1200 });
    });

    it.each([
      ["2501", { shipping_address: { ...address, state: "Washington" } }, "address", 2501],
      ["2502", { order_items: [{ variant_id: 99999, quantity: 1 }] }, "unknown_variant", 2502],
      ["2503", { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.lowStock, quantity: 3 }] }, "stock", 2503],
      [
        "2506",
        { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.inactive, quantity: 1 }] },
        "inactive_variant",
        2506,
      ],
    ])("%s → needs_merchant_action (%s), not created", async (_code, overrides, reason, code) => {
      const outcome = await client.createOrder(order(overrides));
      expect(outcome).toMatchObject({
        kind: "needs_merchant_action",
        reason,
        code,
        httpStatus: 422,
      });
      if (outcome.kind !== "needs_merchant_action") throw new Error("expected needs_merchant_action");
      expect(outcome.invalidRecords.length).toBeGreaterThan(0);
      expect(outcome.message).toEqual(expect.any(String));
      expect(creationCertainty(outcome)).toBe("not_created");
      expectAttemptRecord(outcome);
    });

    it("2501 keeps the offending address in invalidRecords", async () => {
      const outcome = await client.createOrder(
        order({ shipping_address: { ...address, state: "Washington" } }),
      );
      if (outcome.kind !== "needs_merchant_action") throw new Error("expected needs_merchant_action");
      expect(outcome.invalidRecords).toEqual([{ ...address, state: "Washington" }]);
      expect(outcome.message).toBe("Address state State must be a valid 2 character state abbreviation");
    });

    it.each([
      [
        "2504",
        {
          order_items: [
            { variant_id: 73002, quantity: 1 },
            { variant_id: 73002, quantity: 1 },
          ],
        },
        "duplicate_variant",
        2504,
      ],
      ["2505", { order_items: [] }, "no_items", 2505],
    ])("%s → rejected (%s): our bug, not created", async (_code, overrides, reason, code) => {
      const outcome = await client.createOrder(order(overrides));
      expect(outcome).toMatchObject({ kind: "rejected", reason, code });
      expect(creationCertainty(outcome)).toBe("not_created");
    });

    it.each([
      [
        "3501 → retryable (not_inserted), whatever the HTTP status",
        { kind: "code3501" },
        { reason: "not_inserted", code: 3501, httpStatus: 500 },
      ],
      [
        "HTTP 503 → retryable (maintenance), not created",
        { kind: "http503", retryAfterSeconds: 120 },
        { reason: "maintenance", retryAfterMs: 120_000, httpStatus: 503 },
      ],
    ] as const)("%s", async (_title, fault, expected) => {
      sim.scriptFault({ fault });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({ kind: "retryable", ...expected });
      expect(creationCertainty(outcome)).toBe("not_created");
      expect(sim.acceptedOrders()).toHaveLength(0);
    });

    it.each([
      ["1500", { kind: "code1500" }, 1500],
      ["3502", { kind: "code3502" }, 3502],
      ["3503", { kind: "code3503" }, 3503],
      ["3502 on HTTP 200", { kind: "code3502", httpStatus: 200 }, 3502],
    ] as const)("%s → unknown (server_error): it may have been created", async (_name, fault, code) => {
      sim.scriptFault({ fault });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({ kind: "unknown", cause: "server_error", code });
      expect(creationCertainty(outcome)).toBe("unknown");
      expectAttemptRecord(outcome);
    });

    it("an undocumented body code → unknown (undocumented_code), raw body kept", async () => {
      sim.scriptFault({ fault: { kind: "code", code: 4242, message: "Something new" } });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({
        kind: "unknown",
        cause: "undocumented_code",
        code: 4242,
        message: "Something new",
      });
      expect(outcome.rawBody).toContain("4242");
    });

    it("HTTP 401 → bad_credentials", async () => {
      const wrong = simulatorClient({ apiSecret: "wrong-secret" });
      const outcome = await wrong.createOrder(order());
      expect(outcome).toMatchObject({ kind: "bad_credentials", httpStatus: 401 });
      expect(JSON.stringify(outcome)).not.toContain("wrong-secret");
      expect(sim.acceptedOrders()).toHaveLength(0);
    });

    it("HTTP 429 → throttled with Retry-After in ms", async () => {
      sim.scriptFault({ fault: { kind: "http429", retryAfterSeconds: 7 } });
      expect(await client.createOrder(order())).toMatchObject({
        kind: "throttled",
        retryAfterMs: 7000,
        httpStatus: 429,
      });
      sim.scriptFault({ fault: { kind: "http429", retryAfterSeconds: null } });
      expect(await client.createOrder(order())).toMatchObject({
        kind: "throttled",
        retryAfterMs: null,
      });
    });

    it("HTTP 500 → unknown (server_error) on POST, whether HTML or JSON", async () => {
      sim.scriptFault({ fault: { kind: "http500" } });
      sim.scriptFault({ fault: { kind: "http500_json" } });
      const html = await client.createOrder(order());
      expect(html).toMatchObject({
        kind: "unknown",
        cause: "server_error",
        httpStatus: 500,
        code: null,
      });
      expect(html.rawBody).toContain("something went wrong");
      expect(await client.createOrder(order())).toMatchObject({
        kind: "unknown",
        cause: "server_error",
        httpStatus: 500,
      });
    });

    it("a timeout → unknown (timeout), and the order may well exist", async () => {
      const impatient = simulatorClient({ timeoutMs: 200 });
      sim.scriptFault({ fault: { kind: "timeout", created: true } });
      const outcome = await impatient.createOrder(order());
      expect(outcome).toMatchObject({
        kind: "unknown",
        cause: "timeout",
        httpStatus: null,
        rawBody: null,
        code: null,
      });
      expect(outcome.durationMs).toBeGreaterThanOrEqual(150);
      expect(sim.acceptedOrders()).toHaveLength(1);
    });

    it("a connection reset → unknown (connection_error)", async () => {
      sim.scriptFault({ fault: { kind: "reset" } });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({
        kind: "unknown",
        cause: "connection_error",
        httpStatus: null,
      });
      if (outcome.kind !== "unknown") throw new Error("expected unknown");
      expect(outcome.detail).toEqual(expect.any(String));
    });

    it("a refused connection → retryable (unreachable): nothing was sent", async () => {
      const port = await closedPort();
      const nowhere = createBrilliantClient({
        baseUrl: `http://127.0.0.1:${port}/V2`,
        apiKey: "k",
        apiSecret: "s",
      });
      const outcome = await nowhere.createOrder(order());
      expect(outcome).toMatchObject({ kind: "retryable", reason: "unreachable", httpStatus: null });
    });

    it("a non-JSON body → unknown (non_json), raw body kept", async () => {
      sim.scriptFault({ fault: { kind: "non_json" } });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({ kind: "unknown", cause: "non_json", httpStatus: 200 });
      expect(outcome.rawBody).toContain("502 Bad Gateway");
    });

    it("a 1200 body that fails validation → unknown (invalid_response)", async () => {
      sim.scriptFault({
        fault: { kind: "raw", httpStatus: 200, body: '{"code":1200,"payload":"nope"}' },
      });
      const outcome = await client.createOrder(order());
      expect(outcome).toMatchObject({ kind: "unknown", cause: "invalid_response", code: 1200 });
    });
  });

  describe("reads", () => {
    it("getStore → ok with the catalog, extra fields kept", async () => {
      const outcome = await client.getStore();
      expect(outcome.kind).toBe("ok");
      if (outcome.kind !== "ok") throw new Error("expected ok");
      const variants = outcome.value.products.flatMap((product) => product.variants);
      expect(variants.find((variant) => variant.id === NOTABLE_VARIANT_IDS.untracked)?.inventory_count).toBe(
        -1,
      );
      expect(outcome.request).toEqual({ method: "GET", path: "/V2/store", body: null });
      expectNoSecret(outcome);
    });

    it("getOrder: 1404 → not_found; an existing order → ok", async () => {
      expect(await client.getOrder(999999)).toMatchObject({
        kind: "not_found",
        code: 1404,
        httpStatus: 404,
      });
      const created = await client.createOrder(order());
      if (created.kind !== "accepted" || !created.brilliantOrderId)
        throw new Error("expected accepted with an id");
      const outcome = await client.getOrder(created.brilliantOrderId);
      expect(outcome).toMatchObject({ kind: "ok", value: { custom_data: order().custom_data } });
    });

    it("listOrders → ok with pagination", async () => {
      await client.createOrder(order());
      const outcome = await client.listOrders({ page: 1, per: 5 });
      expect(outcome).toMatchObject({
        kind: "ok",
        value: { pagination: { page: 1, per_page: 5, total_pages: 1, total_orders: 1 } },
        request: { path: "/V2/store/orders?page=1&per=5" },
      });
    });

    it("on GETs, HTTP 500, 1500, timeouts and resets are retryable: nothing can have been created", async () => {
      sim.scriptFault({ fault: { kind: "http500" } });
      sim.scriptFault({ fault: { kind: "code1500" } });
      sim.scriptFault({ fault: { kind: "reset" } });
      expect(await client.getStore()).toMatchObject({
        kind: "retryable",
        reason: "server_error",
        httpStatus: 500,
      });
      expect(await client.getStore()).toMatchObject({
        kind: "retryable",
        reason: "server_error",
        code: 1500,
      });
      expect(await client.getStore()).toMatchObject({
        kind: "retryable",
        reason: "connection_error",
      });
      sim.scriptFault({ fault: { kind: "timeout" } });
      const impatient = simulatorClient({ timeoutMs: 100 });
      expect(await impatient.getStore()).toMatchObject({ kind: "retryable", reason: "timeout" });
    });

    it("a GET body that fails validation → unknown (invalid_response)", async () => {
      sim.scriptFault({ fault: { kind: "raw", httpStatus: 200, body: '{"orders":"none"}' } });
      expect(await client.listOrders()).toMatchObject({
        kind: "unknown",
        cause: "invalid_response",
      });
    });
  });

  describe("findOrderByCustomData", () => {
    const shop = "lookup-shop.myshopify.com";
    async function createMany(count: number, firstShopifyId = 1): Promise<void> {
      for (let i = 0; i < count; i += 1) {
        const id = String(firstShopifyId + i);
        const outcome = await client.createOrder(
          order({
            order_items: [{ variant_id: NOTABLE_VARIANT_IDS.untracked, quantity: 1 }],
            custom_data: { shopify_shop: shop, shopify_order_id: id, shopify_order_name: `#${id}` },
          }),
        );
        expect(outcome.kind).toBe("accepted");
      }
    }

    it("finds an order three pages deep, and records every call it made", async () => {
      await createMany(45);
      const result = await client.findOrderByCustomData(
        { shopifyShop: shop, shopifyOrderId: 1 },
        { maxPages: 5 },
      );
      expect(result.kind).toBe("found");
      if (result.kind !== "found") throw new Error("expected found");
      expect(result.brilliantOrderId).toBe(String(sim.ordersForShopifyOrder("1")[0]?.order.id));
      expect(result.pagesChecked).toBe(3);
      expect(result.ordersChecked).toBe(45);
      expect(result.attempts).toHaveLength(3 + 45);
      expectNoSecret(result);
    });

    it("answers not_found only after seeing every order, and ignores other shops' orders", async () => {
      await createMany(25);
      const otherShop = await client.findOrderByCustomData({
        shopifyShop: "other.myshopify.com",
        shopifyOrderId: 3,
      });
      expect(otherShop).toMatchObject({ kind: "not_found", pagesChecked: 2, ordersChecked: 25 });
    });

    it("is inconclusive when it runs out of pages", async () => {
      await createMany(45);
      const result = await client.findOrderByCustomData(
        { shopifyShop: shop, shopifyOrderId: 1 },
        { maxPages: 2 },
      );
      expect(result).toMatchObject({ kind: "inconclusive", reason: "page_limit", pagesChecked: 2 });
    });

    it("asks a failed read again, and finds the order behind a passing failure", async () => {
      await createMany(3);
      sim.scriptFault({ match: { endpoint: "GET /store/order/:id" }, fault: { kind: "http500" }, times: 2 });
      const result = await client.findOrderByCustomData({ shopifyShop: shop, shopifyOrderId: 1 });
      expect(result).toMatchObject({ kind: "found" });
    });

    it("is inconclusive when a call keeps failing along the way", async () => {
      await createMany(3);
      sim.scriptFault({
        match: { endpoint: "GET /store/order/:id" },
        fault: { kind: "http500" },
        times: "always",
      });
      const result = await client.findOrderByCustomData({ shopifyShop: shop, shopifyOrderId: 1 });
      expect(result).toMatchObject({
        kind: "inconclusive",
        reason: "request_failed",
        failure: { kind: "retryable" },
      });
    });

    it("stops at orders older than notBefore", async () => {
      await createMany(5);
      const result = await client.findOrderByCustomData(
        { shopifyShop: shop, shopifyOrderId: 999 },
        { notBefore: new Date(Date.now() + 60_000) },
      );
      expect(result).toMatchObject({
        kind: "not_found",
        ordersChecked: 0,
        attempts: [expect.anything()],
      });
    });

    it("finds the order a timed-out, id-less attempt created, so it is not sent twice", async () => {
      const impatient = simulatorClient({ timeoutMs: 150 });
      sim.scriptFault({
        match: { shopifyOrderId: "7007" },
        fault: { kind: "timeout", created: true },
      });
      const custom = { shopify_shop: shop, shopify_order_id: "7007", shopify_order_name: "#7007" };
      const first = await impatient.createOrder(order({ custom_data: custom }));
      expect(creationCertainty(first)).toBe("unknown");
      const lookup = await client.findOrderByCustomData({
        shopifyShop: shop,
        shopifyOrderId: "7007",
      });
      expect(lookup.kind).toBe("found");
      expect(sim.ordersForShopifyOrder("7007")).toHaveLength(1);
    });
  });

  it("refuses a base URL that is not a URL, at construction", () => {
    expect(() => createBrilliantClient({ baseUrl: "not a url", apiKey: "k", apiSecret: "s" })).toThrow(
      BrilliantConfigError,
    );
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
