import prisma from "../../app/db.server";
import { countInbox, flushReceivedOrders, recordPaidOrder } from "../../app/orders/ingest.server";
import { saveMappings } from "../../app/catalog/mapping.server";
import { parseShopifyOrder } from "../../app/orders/shopify-order";
import { ensureShopSettings, saveBrilliantCredentials } from "../../app/models/shop.server";
import { Forwarder, type ForwarderOptions } from "../../app/orders/forwarder.server";
import type { FaultSpec } from "../../simulator/faults";
import { SIM_API_KEY, SIM_API_SECRET, type RunningSimulator } from "../../simulator/server";
import { shopifyVariantFor } from "./test-order";

export { shopifyAddress, shopifyVariantFor, testOrder } from "./test-order";

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

/** Forwards until every order settled, retrying almost at once: for tests where the backoff is not the point. */
export function forwardAllQuickly(brilliantBaseUrl: string, timeoutMs = 30_000) {
  return forwardUntilSettled([makeForwarder(brilliantBaseUrl, { retryBaseMs: 1, retryMaxMs: 5 })], {
    timeoutMs,
  });
}

/** Brilliant (the simulator) answers the next `times` creates of Shopify order `shopifyOrderName` with `fault`. */
export function faultOnCreate(
  sim: RunningSimulator,
  shopifyOrderName: string,
  fault: FaultSpec,
  times: number | "always" = 1,
): string {
  return sim.scriptFault({ match: { endpoint: "POST /store/order", shopifyOrderName }, fault, times });
}
