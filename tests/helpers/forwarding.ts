import prisma from "../../app/db.server";
import { countInbox, flushReceivedOrders, recordPaidOrder } from "../../app/orders/ingest.server";
import { saveMappings } from "../../app/catalog/mapping.server";
import { parseShopifyOrder } from "../../app/orders/shopify-order";
import { ensureShopSettings, saveBrilliantCredentials } from "../../app/models/shop.server";
import { Forwarder, type ForwarderOptions } from "../../app/orders/forwarder.server";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";

export const SETTLED_STATES = new Set(["forwarded", "held", "skipped", "cancelled"]);

export async function seedShopForForwarding(
  shop: string,
  opts: { withCredentials?: boolean; key?: string; secret?: string } = {},
) {
  await ensureShopSettings(shop);
  if (opts.withCredentials !== false) {
    await saveBrilliantCredentials(shop, {
      apiKey: opts.key ?? SIM_API_KEY,
      apiSecret: opts.secret ?? SIM_API_SECRET,
    });
  }
}

/** Shopify variant ids used by test orders: 1000 + Brilliant variant id, SKU = Brilliant id. */
export function shopifyVariantFor(brilliantVariantId: number): number {
  return 1_000_000 + brilliantVariantId;
}

export async function mapVariants(shop: string, brilliantVariantIds: number[]) {
  await saveMappings(
    shop,
    brilliantVariantIds.map((id) => ({
      shopifyVariantId: String(shopifyVariantFor(id)),
      sku: String(id),
      brilliantVariantId: String(id),
    })),
    "manual",
  );
}

export function testOrder(
  number: number,
  lines: { variant: number; quantity: number }[],
  overrides: Record<string, unknown> = {},
) {
  return {
    id: 900_000 + number,
    name: `#T${number}`,
    financial_status: "paid",
    created_at: new Date().toISOString(),
    line_items: lines.map((line, index) => ({
      id: number * 100 + index,
      variant_id: shopifyVariantFor(line.variant),
      sku: String(line.variant),
      title: `Item ${line.variant}`,
      quantity: line.quantity,
      requires_shipping: true,
    })),
    shipping_address: {
      name: "Test Buyer",
      address1: "1 Test St",
      city: "Austin",
      province: "Texas",
      province_code: "TX",
      zip: "73301",
      country_code: "US",
    },
    ...overrides,
  };
}

/** The order as its orders/paid webhook records it, then readable, as after the next request's door. */
export async function ingest(shop: string, body: Record<string, unknown>) {
  const parsed = parseShopifyOrder(body);
  if (!parsed.success) throw new Error(`test order does not parse: ${parsed.error.message}`);
  const result = await recordPaidOrder({
    shop,
    order: parsed.data,
    payload: body,
    webhookId: null,
    source: "webhook",
  });
  await flushReceivedOrders(shop, parsed.data.id);
  return result;
}

export function makeForwarder(brilliantBaseUrl: string, overrides: Partial<ForwarderOptions> = {}) {
  return new Forwarder({
    workerId: overrides.workerId ?? "test-worker",
    leaseMs: 30_000,
    retryBaseMs: 5,
    retryMaxMs: 20,
    brilliantBaseUrl,
    brilliantTimeoutMs: 1_000,
    appUrl: "https://brilliant-sync.test",
    ...overrides,
  });
}

/**
 * Drives one or more forwarders until every order of the shop has settled or
 * `timeoutMs` passes. Returns how many rounds it took.
 */
export async function forwardUntilSettled(
  forwarders: Forwarder[],
  opts: { timeoutMs?: number; concurrency?: number } = {},
) {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let rounds = 0;
  while (Date.now() < deadline) {
    rounds += 1;
    await Promise.all(
      forwarders.map(async (forwarder) => {
        await forwarder.recoverAbandonedSends();
        await forwarder.takeReceivedOrders();
        const claimed = await forwarder.claimDue(opts.concurrency ?? 20);
        await Promise.all(claimed.map((order) => forwarder.process(order)));
      }),
    );
    const open = await prisma.order.count({ where: { state: { notIn: [...SETTLED_STATES] } } });
    // Orders received but not yet readable are not settled either.
    if (open === 0 && (await countInbox()) === 0) return rounds;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const left = await prisma.order.findMany({
    where: { state: { notIn: [...SETTLED_STATES] } },
    select: { name: true, state: true, stateReason: true },
  });
  throw new Error(`orders did not settle: ${JSON.stringify(left.slice(0, 5))}`);
}
