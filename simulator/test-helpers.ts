import http from "node:http";
import type { AddressInfo } from "node:net";
import { NOTABLE_VARIANT_IDS } from "./catalog";

// Shared by the simulator's tests and the Brilliant client's tests.

export function validOrderRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_items: [{ variant_id: NOTABLE_VARIANT_IDS.teeMedium, quantity: 1, note: "Gift wrap" }],
    shipping_address: {
      name: "Jill Gilgooley",
      company: "Test Co.",
      address_1: "123 Test Pl. W.",
      address_2: null,
      city: "Bothell",
      state: "WA",
      postal_code: "98021",
      country: "US",
      phone: "(555)555-5555",
    },
    custom_data: {
      shopify_shop: "test-shop.myshopify.com",
      shopify_order_id: "1001",
      shopify_order_name: "#1001",
    },
    webhook_url: "https://example.com/brilliant/webhook?token=t",
    ...overrides,
  };
}

export interface WebhookReceiver {
  url: string;
  received: Array<{ path: string; body: unknown }>;
  /** Resolves with the next body that arrives. */
  next(): Promise<unknown>;
  close(): Promise<void>;
}

/** A tiny HTTP endpoint on 127.0.0.1 that records the JSON POSTed to it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver["received"] = [];
  const waiting: Array<(body: unknown) => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      received.push({ path: req.url ?? "/", body });
      waiting.shift()?.(body);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/brilliant`,
    received,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nobody listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
