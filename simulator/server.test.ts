import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NOTABLE_VARIANT_IDS, defaultCatalog } from "./catalog";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator, type RunningSimulator } from "./server";
import { startWebhookReceiver, validOrderRequest } from "./test-helpers";

const auth = (key = SIM_API_KEY, secret = SIM_API_SECRET) =>
  `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;

// Test bodies are read loosely; the assertions are the type checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Loose;
}

async function call(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  authorization: string | null = auth(),
): Promise<Answer> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (authorization) headers["Authorization"] = authorization;
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function control(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
}

function stockOf(store: Loose, variantId: number): number {
  for (const product of store.products) {
    for (const variant of product.variants) if (variant.id === variantId) return variant.inventory_count;
  }
  throw new Error(`variant ${variantId} not in store`);
}

describe("Brilliant simulator", () => {
  let sim: RunningSimulator;
  /** POST /store/order with a valid order request, `overrides` on top. */
  const postOrder = (overrides?: Record<string, unknown>) =>
    call(sim, "POST", "/store/order", validOrderRequest(overrides));

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });

  it("listens on loopback under /V2", () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/V2$/);
  });

  describe("auth", () => {
    it("answers 401 JSON without credentials or with wrong ones", async () => {
      const missing = await call(sim, "GET", "/store", undefined, null);
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ error: "Unauthorized" });
      const wrong = await call(sim, "GET", "/store", undefined, auth(SIM_API_KEY, "nope"));
      expect(wrong.status).toBe(401);
      expect(sim.acceptedOrders()).toHaveLength(0);
    });

    it("keeps stores apart: each sees its own orders and variants", async () => {
      const multi = await startSimulator({
        stores: [
          { key: "a", secret: "sa", name: "Store A" },
          { key: "b", secret: "sb", name: "Store B", products: [] },
        ],
      });
      try {
        const created = await call(multi, "POST", "/store/order", validOrderRequest(), auth("a", "sa"));
        expect(created.json.code).toBe(1200);
        const fromB = await call(
          multi,
          "GET",
          `/store/order/${created.json.payload.id}`,
          undefined,
          auth("b", "sb"),
        );
        expect(fromB.json.code).toBe(1404);
        const orderInB = await call(multi, "POST", "/store/order", validOrderRequest(), auth("b", "sb"));
        expect(orderInB.json.code).toBe(2502);
        expect((await call(multi, "GET", "/store", undefined, auth("b", "sb"))).json.name).toBe("Store B");
        expect(multi.acceptedOrders("a")).toHaveLength(1);
        expect(multi.acceptedOrders("b")).toHaveLength(0);
        expect([multi.acceptedCount(), multi.acceptedCount("a"), multi.acceptedCount("b")]).toEqual([
          1, 1, 0,
        ]);
      } finally {
        await multi.close();
      }
    });
  });

  describe("GET /store", () => {
    it("returns the catalog with integer ids, images and the notable variants", async () => {
      const store = await call(sim, "GET", "/store");
      expect(store.status).toBe(200);
      expect(store.json.inactive).toBe(false);
      expect(store.json.products).toEqual(defaultCatalog());
      expect(stockOf(store.json, NOTABLE_VARIANT_IDS.untracked)).toBe(-1);
      expect(stockOf(store.json, NOTABLE_VARIANT_IDS.lowStock)).toBe(2);
      const inactive = store.json.products.find((p: Loose) =>
        p.variants.some((v: Loose) => v.id === NOTABLE_VARIANT_IDS.inactive),
      );
      expect(inactive.inactive).toBe(true);
      expect(Object.keys(store.json.products[0].variants[0].images)).toEqual([
        "thumb",
        "medium",
        "large",
        "xlarge",
      ]);
    });
  });

  describe("POST /store/order", () => {
    it("accepts a valid order (1200), renames note to notes and decrements tracked stock", async () => {
      const created = await postOrder();
      expect(created.status).toBe(200);
      expect(created.json).toMatchObject({
        code: 1200,
        message: "Looks good.",
        payload: {
          status: "created",
          ship_status: null,
          order_items: [{ variant_id: NOTABLE_VARIANT_IDS.teeMedium, quantity: 1, notes: "Gift wrap" }],
          shipping_address: { state: "WA", country: "US" },
          custom_data: { shopify_order_id: "1001" },
        },
      });
      expect(typeof created.json.payload.id).toBe("number");
      expect(stockOf((await call(sim, "GET", "/store")).json, NOTABLE_VARIANT_IDS.teeMedium)).toBe(54);
      expect(sim.ordersForShopifyOrder("1001")).toHaveLength(1);
    });

    it("never blocks or decrements an untracked (-1) variant", async () => {
      const created = await postOrder({
        order_items: [{ variant_id: NOTABLE_VARIANT_IDS.untracked, quantity: 500 }],
      });
      expect(created.json.code).toBe(1200);
      expect(stockOf((await call(sim, "GET", "/store")).json, NOTABLE_VARIANT_IDS.untracked)).toBe(-1);
    });

    it("lets a product that does not require stock be ordered beyond it", async () => {
      const created = await postOrder({
        order_items: [{ variant_id: NOTABLE_VARIANT_IDS.stockNotRequired, quantity: 9 }],
      });
      expect(created.json.code).toBe(1200);
    });

    it("can leave the id out of the 1200 payload, as the docs' example does", async () => {
      sim.configure({ omitOrderIdInCreateResponse: true });
      const created = await postOrder();
      expect(created.json.code).toBe(1200);
      expect(created.json.payload.id).toBeUndefined();
      expect(Object.keys(created.json.payload).sort()).toEqual(
        ["custom_data", "order_items", "shipping_address", "webhook_url"].sort(),
      );
      expect(sim.acceptedOrders()).toHaveLength(1);
    });

    const address = validOrderRequest().shipping_address as Record<string, unknown>;
    it.each([
      ["2505 when order_items is missing", { order_items: undefined }, 2505],
      ["2505 when order_items is empty", { order_items: [] }, 2505],
      [
        "2501 when the state is not 2 characters",
        { shipping_address: { ...address, state: "Washington" } },
        2501,
      ],
      [
        "2501 when the country is not 2 characters",
        { shipping_address: { ...address, country: "USA" } },
        2501,
      ],
      ["2501 when the city is missing", { shipping_address: { ...address, city: "" } }, 2501],
      ["2501 when the postal code is missing", { shipping_address: { ...address, postal_code: null } }, 2501],
      [
        "2504 when a variant appears twice",
        {
          order_items: [
            { variant_id: 73002, quantity: 1 },
            { variant_id: 73002, quantity: 2 },
          ],
        },
        2504,
      ],
      [
        "2502 when a variant is not in the store",
        { order_items: [{ variant_id: 99999, quantity: 1 }] },
        2502,
      ],
      [
        "2506 when a variant's product is inactive",
        { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.inactive, quantity: 1 }] },
        2506,
      ],
      [
        "2503 when stock is too low",
        { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.lowStock, quantity: 3 }] },
        2503,
      ],
      [
        "2503 when stock is zero",
        { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.outOfStock, quantity: 1 }] },
        2503,
      ],
      ["3503 when custom_data comes without webhook_url", { webhook_url: undefined }, 3503],
      [
        "3503 when a quantity is not a positive integer",
        { order_items: [{ variant_id: 73002, quantity: 0 }] },
        3503,
      ],
    ])("answers %s, without creating the order", async (_name, overrides, code) => {
      const answer = await postOrder(overrides);
      expect(answer.json.code).toBe(code);
      expect(typeof answer.json.message).toBe("string");
      expect(Array.isArray(answer.json.invalid_records)).toBe(true);
      expect(answer.json).toHaveProperty("body");
      expect(sim.acceptedOrders()).toHaveLength(0);
    });

    it("echoes the offending address in invalid_records with the docs' message", async () => {
      const answer = await postOrder({ shipping_address: { ...address, state: "Washington" } });
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe("Address state State must be a valid 2 character state abbreviation");
      expect(answer.json.invalid_records).toEqual([{ ...address, state: "Washington" }]);
      expect(answer.json.body.order_items[0].notes).toBe("Gift wrap");
    });

    it("accepts the low-stock variant up to what is left, then refuses", async () => {
      const lowStock = { order_items: [{ variant_id: NOTABLE_VARIANT_IDS.lowStock, quantity: 2 }] };
      expect((await postOrder(lowStock)).json.code).toBe(1200);
      expect((await postOrder(lowStock)).json.code).toBe(2503);
      sim.setStock(NOTABLE_VARIANT_IDS.lowStock, 10);
      expect((await postOrder(lowStock)).json.code).toBe(1200);
    });

    it("honours setProductInactive", async () => {
      sim.setProductInactive(24501, true);
      expect((await postOrder()).json.code).toBe(2506);
      sim.setProductInactive(24501, false);
      expect((await postOrder()).json.code).toBe(1200);
    });
  });

  describe("GET /store/orders and /store/order/{id}", () => {
    it("pages newest first, per defaults to 20 and is capped at 20", async () => {
      for (let i = 1; i <= 25; i += 1) {
        const request = validOrderRequest({
          order_items: [{ variant_id: NOTABLE_VARIANT_IDS.untracked, quantity: 1 }],
          custom_data: { shopify_order_id: String(i) },
        });
        expect((await call(sim, "POST", "/store/order", request)).json.code).toBe(1200);
      }
      const first = await call(sim, "GET", "/store/orders");
      expect(first.json.pagination).toEqual({
        page: 1,
        per_page: 20,
        total_pages: 2,
        total_orders: 25,
      });
      expect(first.json.orders).toHaveLength(20);
      const ids = first.json.orders.map((order: Loose) => order.id);
      expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
      expect(first.json.orders[0]).toMatchObject({
        status: "created",
        ship_status: null,
        order_item_count: 1,
      });

      const capped = await call(sim, "GET", "/store/orders?page=1&per=100");
      expect(capped.json.pagination.per_page).toBe(20);
      const second = await call(sim, "GET", "/store/orders?page=2&per=20");
      expect(second.json.orders).toHaveLength(5);
      const small = await call(sim, "GET", "/store/orders?page=3&per=5");
      expect(small.json.pagination).toEqual({
        page: 3,
        per_page: 5,
        total_pages: 5,
        total_orders: 25,
      });
      expect((await call(sim, "GET", "/store/orders?page=9")).json.orders).toEqual([]);

      const detail = await call(sim, "GET", `/store/order/${ids[0]}`);
      expect(detail.json).toMatchObject({ id: ids[0], custom_data: { shopify_order_id: "25" } });
    });

    it("answers an unknown order id with HTTP 404 and code 1404", async () => {
      const missing = await call(sim, "GET", "/store/order/424242");
      expect(missing.status).toBe(404);
      expect(missing.json.code).toBe(1404);
      expect((await call(sim, "GET", "/store/order/not-a-number")).json.code).toBe(1404);
    });
  });

  describe("faults", () => {
    it("answers 429 with Retry-After", async () => {
      sim.scriptFault({ fault: { kind: "http429", retryAfterSeconds: 7 } });
      const answer = await call(sim, "GET", "/store");
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBe("7");
      expect((await call(sim, "GET", "/store")).status).toBe(200);
    });

    it("answers 500 as HTML or JSON, and 503 maintenance", async () => {
      sim.scriptFault({ fault: { kind: "http500" } });
      sim.scriptFault({ fault: { kind: "http500_json" } });
      sim.scriptFault({ fault: { kind: "http503", retryAfterSeconds: 30 } });
      const html = await call(sim, "GET", "/store");
      expect(html.status).toBe(500);
      expect(html.json).toBeNull();
      const json = await call(sim, "GET", "/store");
      expect(json.status).toBe(500);
      expect(json.json).toEqual({ status: 500, error: "Internal Server Error" });
      const maintenance = await call(sim, "GET", "/store");
      expect(maintenance.status).toBe(503);
      expect(maintenance.headers.get("retry-after")).toBe("30");
    });

    it.each([
      ["code1500", 1500],
      ["code3501", 3501],
      ["code3502", 3502],
      ["code3503", 3503],
    ] as const)("%s answers the body code and does not create the order", async (kind, code) => {
      sim.scriptFault({ match: { endpoint: "POST /store/order" }, fault: { kind } });
      const answer = await postOrder();
      expect(answer.json.code).toBe(code);
      expect(answer.json.body.custom_data.shopify_order_id).toBe("1001");
      expect(sim.acceptedOrders()).toHaveLength(0);
    });

    it.each([
      ["code1500", { kind: "code1500" }],
      ["code3502", { kind: "code3502" }],
      ["code3503", { kind: "code3503" }],
      ["http500", { kind: "http500" }],
    ] as const)("%s after creation: the order exists though an error came back", async (_name, fault) => {
      sim.scriptFault({ fault: { ...fault, created: true } });
      const answer = await postOrder();
      expect(answer.status).toBe(500);
      const accepted = sim.acceptedOrders();
      expect(accepted).toHaveLength(1);
      expect(accepted[0]?.answeredWith).toBe(fault.kind);
      const listed = await call(sim, "GET", "/store/orders");
      expect(listed.json.pagination.total_orders).toBe(1);
    });

    it("refuses a 'created' 3501, which by definition was not inserted", () => {
      expect(() => sim.scriptFault({ fault: { kind: "code3501", created: true } })).toThrow(/cannot follow/);
    });

    it("resets the connection, with or without creating the order", async () => {
      sim.scriptFault({ fault: { kind: "reset" } });
      await expect(postOrder()).rejects.toThrow();
      expect(sim.acceptedOrders()).toHaveLength(0);
      sim.scriptFault({ fault: { kind: "reset", created: true } });
      await expect(postOrder()).rejects.toThrow();
      expect(sim.acceptedOrders()).toHaveLength(1);
      expect(sim.requests.at(-1)).toMatchObject({ httpStatus: null, fault: "reset" });
    });

    it("holds the answer past the client's timeout, and still creates when asked", async () => {
      sim.scriptFault({ fault: { kind: "timeout", created: true } });
      const started = Date.now();
      const response = fetch(`${sim.url}/store/order`, {
        method: "POST",
        headers: { Authorization: auth(), "Content-Type": "application/json" },
        body: JSON.stringify(validOrderRequest()),
        signal: AbortSignal.timeout(300),
      });
      await expect(response).rejects.toThrow(/abort|timeout/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(sim.acceptedOrders()).toHaveLength(1);
    });

    it("delays answers with latency faults and the global latency", async () => {
      sim.scriptFault({ fault: { kind: "latency", ms: 150 } });
      let started = Date.now();
      expect((await call(sim, "GET", "/store")).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      sim.configure({ latencyMs: 100 });
      started = Date.now();
      expect((await call(sim, "GET", "/store")).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });

    it("answers non-JSON, undocumented codes and raw bodies", async () => {
      sim.scriptFault({ fault: { kind: "non_json" } });
      sim.scriptFault({ fault: { kind: "code", code: 4242 } });
      sim.scriptFault({
        fault: { kind: "raw", httpStatus: 200, body: '{"code":1200,"payload":"nope"}' },
      });
      const page = await call(sim, "GET", "/store");
      expect(page.status).toBe(200);
      expect(page.json).toBeNull();
      expect((await call(sim, "GET", "/store")).json.code).toBe(4242);
      expect((await call(sim, "GET", "/store")).text).toBe('{"code":1200,"payload":"nope"}');
    });

    it("scripts faults by shopify order name and fires them N times", async () => {
      sim.scriptFault({
        match: { shopifyOrderName: "#2002" },
        fault: { kind: "code3502" },
        times: 2,
      });
      const other = validOrderRequest();
      const target = validOrderRequest({
        custom_data: { shopify_shop: "s", shopify_order_id: "2002", shopify_order_name: "#2002" },
      });
      expect((await call(sim, "POST", "/store/order", other)).json.code).toBe(1200);
      expect((await call(sim, "POST", "/store/order", target)).json.code).toBe(3502);
      expect((await call(sim, "POST", "/store/order", target)).json.code).toBe(3502);
      expect((await call(sim, "POST", "/store/order", target)).json.code).toBe(1200);
      expect(sim.ordersForShopifyOrder("2002")).toHaveLength(1);
      expect(sim.scriptedFaults()).toHaveLength(0);
    });

    it("matches scripted faults by shopify order id and path", async () => {
      sim.scriptFault({ match: { shopifyOrderId: 1001 }, fault: { kind: "code1500" } });
      sim.scriptFault({
        match: { method: "GET", path: "/store/orders" },
        fault: { kind: "http503" },
        times: "always",
      });
      expect((await postOrder()).json.code).toBe(1500);
      expect((await call(sim, "GET", "/store/orders")).status).toBe(503);
      expect((await call(sim, "GET", "/store/orders")).status).toBe(503);
      expect((await call(sim, "GET", "/store")).status).toBe(200);
    });

    it("draws random faults deterministically from a seed, only on the listed endpoints", async () => {
      const run = async (): Promise<Array<number | string>> => {
        const simulator = await startSimulator({
          faults: {
            rate: 0.5,
            seed: 42,
            kinds: ["http500_json", "http429", "code3501"],
            endpoints: ["GET /store"],
          },
        });
        try {
          const statuses: Array<number | string> = [];
          for (let i = 0; i < 20; i += 1) statuses.push((await call(simulator, "GET", "/store")).status);
          for (let i = 0; i < 5; i += 1)
            statuses.push(`orders:${(await call(simulator, "GET", "/store/orders")).status}`);
          return statuses;
        } finally {
          await simulator.close();
        }
      };
      const first = await run();
      expect(await run()).toEqual(first);
      expect(first.filter((status) => status === 200).length).toBeGreaterThan(2);
      expect(first.filter((status) => status !== 200 && typeof status === "number").length).toBeGreaterThan(
        2,
      );
      expect(first.slice(20)).toEqual(Array(5).fill("orders:200"));
    });

    it("logs every request with the status and code it returned", async () => {
      await call(sim, "GET", "/store/order/1");
      await call(sim, "GET", "/store", undefined, null);
      expect(
        sim.requests.map(({ method, path, httpStatus, code }) => ({
          method,
          path,
          httpStatus,
          code,
        })),
      ).toEqual([
        { method: "GET", path: "/V2/store/order/1", httpStatus: 404, code: 1404 },
        { method: "GET", path: "/V2/store", httpStatus: 401, code: null },
      ]);
    });
  });

  describe("status webhooks", () => {
    it("POSTs {id, status, ship_status, custom_data, updated_at} to the order's webhook_url", async () => {
      const receiver = await startWebhookReceiver();
      try {
        const created = await postOrder({ webhook_url: receiver.url });
        const id = created.json.payload.id;
        const arrived = receiver.next();
        const { delivery } = await sim.setOrderStatus(id, "shipped", "shipped");
        expect(delivery?.httpStatus).toBe(200);
        expect(await arrived).toEqual({
          id,
          status: "shipped",
          ship_status: "shipped",
          custom_data: validOrderRequest().custom_data,
          updated_at: expect.any(String),
        });
        expect((await call(sim, "GET", `/store/order/${id}`)).json).toMatchObject({
          status: "shipped",
          ship_status: "shipped",
        });
      } finally {
        await receiver.close();
      }
    });
  });

  describe("control over HTTP (/__sim)", () => {
    it("counts the connections it accepted: one per request without keep-alive, one for many with it", async () => {
      const health = `${sim.controlUrl}/health`;
      const get = (agent: http.Agent | false) =>
        new Promise<void>((resolve, reject) => {
          http
            .get(health, { agent }, (res) => {
              res.resume();
              res.on("end", resolve);
            })
            .on("error", reject);
        });
      const opened = async () => (await control(sim, "GET", "/connections")).json.opened as number;

      const before = await opened();
      for (let i = 0; i < 3; i += 1) await get(false);
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 3; i += 1) await get(keepAlive);
      } finally {
        keepAlive.destroy();
      }
      // Three without keep-alive, one shared by the next three, and the one reading the count
      // (fetch keeps its connection from the first count, or opens one).
      const after = await opened();
      expect(after - before).toBeGreaterThanOrEqual(4);
      expect(after - before).toBeLessThanOrEqual(5);
      expect(sim.connectionsOpened()).toBe(after);
    });

    it("scripts faults, sets stock, changes status, lists orders and resets", async () => {
      const receiver = await startWebhookReceiver();
      try {
        expect((await control(sim, "POST", "/script", { fault: { kind: "code3501" } })).json.id).toMatch(
          /^rule-/,
        );
        expect((await postOrder()).json.code).toBe(3501);

        await control(sim, "POST", "/stock", {
          variantId: NOTABLE_VARIANT_IDS.teeMedium,
          inventoryCount: 0,
        });
        expect((await postOrder()).json.code).toBe(2503);
        await control(sim, "POST", "/stock", {
          variantId: NOTABLE_VARIANT_IDS.teeMedium,
          inventoryCount: 3,
        });

        await control(sim, "POST", "/products/24501/inactive", { inactive: true });
        expect((await postOrder()).json.code).toBe(2506);
        await control(sim, "POST", "/products/24501/inactive", { inactive: false });

        const created = await postOrder({ webhook_url: receiver.url });
        const listed = await control(sim, "GET", "/orders?shopify_order_id=1001");
        expect(listed.json.orders).toHaveLength(1);
        expect((await control(sim, "GET", "/orders/count")).json).toEqual({ accepted: 1 });

        const status = await control(sim, "POST", `/orders/${created.json.payload.id}/status`, {
          status: "processing",
          shipStatus: null,
        });
        expect(status.json.delivery.httpStatus).toBe(200);
        expect(receiver.received).toHaveLength(1);

        await control(sim, "POST", "/faults", { rate: 1, kinds: ["http429"] });
        expect((await call(sim, "GET", "/store")).status).toBe(429);
        await control(sim, "POST", "/faults", null);
        expect((await call(sim, "GET", "/store")).status).toBe(200);

        expect((await control(sim, "POST", "/script", { fault: { kind: "nope" } })).status).toBe(400);
        expect((await control(sim, "POST", "/stock", { variantId: 1, inventoryCount: 1 })).status).toBe(400);

        await control(sim, "POST", "/reset");
        expect((await control(sim, "GET", "/orders")).json.orders).toEqual([]);
        expect((await control(sim, "GET", "/orders/count")).json).toEqual({ accepted: 0 });
        expect(stockOf((await call(sim, "GET", "/store")).json, NOTABLE_VARIANT_IDS.teeMedium)).toBe(55);
      } finally {
        await receiver.close();
      }
    });
  });

  it("closes promptly even with an answer held open forever", async () => {
    const simulator = await startSimulator();
    simulator.scriptFault({ fault: { kind: "timeout" } });
    const pending = fetch(`${simulator.url}/store`, { headers: { Authorization: auth() } }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await simulator.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
