import { attemptRecordOf, type AttemptRecord, type ReadOutcome } from "./outcome";
import type { BrilliantClient } from "./client.server";
import type { BrilliantOrder } from "./schemas";

// Brilliant has no idempotency key. When an order's outcome is unknown (a
// timeout, 1500, 3502, 3503, a reset), the only way to know whether it exists
// is to walk the store's orders, newest first, and read each one's custom_data.
// Only a walk that saw every candidate may answer "not_found": anything short
// of that is "inconclusive", and the caller must not resubmit on it.

export interface OrderLookupKey {
  shopifyShop: string;
  shopifyOrderId: string | number;
}

export interface FindOrderOptions {
  /** Pages of GET /store/orders to walk at most. Default 5. */
  maxPages?: number;
  /** Orders per page (Brilliant caps it at 20). Default 20. */
  per?: number;
  /**
   * Stop at orders created before this instant: pass the first attempt's start
   * minus a clock-skew margin. Without it the walk goes to the last page.
   */
  notBefore?: Date;
}

interface LookupProgress {
  pagesChecked: number;
  ordersChecked: number;
  /** Every call the walk made, to be stored with the order's attempts. */
  attempts: AttemptRecord[];
}

export type OrderLookupResult =
  | (LookupProgress & { kind: "found"; brilliantOrderId: string; order: BrilliantOrder })
  | (LookupProgress & { kind: "not_found" })
  | (LookupProgress & {
      kind: "inconclusive";
      reason: "page_limit" | "request_failed";
      /** The call that failed, for reason "request_failed". */
      failure: ReadOutcome<unknown> | null;
    });

function carriesKey(order: BrilliantOrder, key: OrderLookupKey): boolean {
  const data = order.custom_data;
  if (!data) return false;
  const orderId = data["shopify_order_id"];
  return (
    data["shopify_shop"] === key.shopifyShop &&
    (typeof orderId === "string" || typeof orderId === "number") &&
    String(orderId) === String(key.shopifyOrderId)
  );
}

/**
 * What a Brilliant order's custom_data said, by Brilliant order id. An order's
 * custom_data never changes, so a worker can remember it across lookups and
 * read only the orders it has not seen yet. Bounded: the oldest go first.
 */
export class CustomDataCache {
  private readonly entries = new Map<string, { shop: string | null; orderId: string | null }>();
  constructor(private readonly maxEntries = 50_000) {}
  get(id: string) {
    return this.entries.get(id);
  }
  set(id: string, order: BrilliantOrder) {
    const data = order.custom_data;
    const orderId = data?.["shopify_order_id"];
    this.entries.set(id, {
      shop: typeof data?.["shopify_shop"] === "string" ? (data["shopify_shop"] as string) : null,
      orderId: typeof orderId === "string" || typeof orderId === "number" ? String(orderId) : null,
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

const RETRIES = 6;

/**
 * Reads are safe to repeat: a page or an order detail that failed for a
 * passing reason, or whose answer was unclear (a timeout, a reset, a body
 * that is not JSON, 1500: harmless for a GET), is asked again a few times
 * before the whole walk is called inconclusive. A lookup walks every page
 * since the first send; without this, a long walk would almost never finish
 * on a flaky day.
 */
async function readWithRetries<T>(
  read: () => Promise<ReadOutcome<T>>,
  attempts: AttemptRecord[],
): Promise<ReadOutcome<T>> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await read();
    attempts.push(attemptRecordOf(outcome));
    const passing =
      outcome.kind === "retryable" || outcome.kind === "throttled" || outcome.kind === "unknown";
    if (!passing || attempt >= RETRIES) return outcome;
    const suggested = outcome.kind === "throttled" ? (outcome.retryAfterMs ?? 0) : 0;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(2_000, Math.max(suggested, 100 * 2 ** (attempt - 1)))),
    );
  }
}

export async function findOrderByCustomData(
  client: Pick<BrilliantClient, "listOrders" | "getOrder">,
  key: OrderLookupKey,
  options: FindOrderOptions & { cache?: CustomDataCache } = {},
): Promise<OrderLookupResult> {
  const maxPages = options.maxPages ?? 5;
  const per = options.per ?? 20;
  const notBefore = options.notBefore?.getTime();
  const progress: LookupProgress = { pagesChecked: 0, ordersChecked: 0, attempts: [] };
  // A page boundary can shift while we walk (new orders push older ones down),
  // so the same order may be listed twice; never read it twice.
  const seen = new Set<string>();

  for (let page = 1; page <= maxPages; page += 1) {
    const list = await readWithRetries(() => client.listOrders({ page, per }), progress.attempts);
    if (list.kind !== "ok")
      return { ...progress, kind: "inconclusive", reason: "request_failed", failure: list };
    progress.pagesChecked = page;

    for (const summary of list.value.orders) {
      const createdAt = summary.created_at ? Date.parse(summary.created_at) : Number.NaN;
      if (notBefore !== undefined && !Number.isNaN(createdAt) && createdAt < notBefore) {
        return { ...progress, kind: "not_found" };
      }
      const id = String(summary.id);
      if (seen.has(id)) continue;
      seen.add(id);

      const known = options.cache?.get(id);
      if (known) {
        progress.ordersChecked += 1;
        const matches = known.shop === key.shopifyShop && known.orderId === String(key.shopifyOrderId);
        if (!matches) continue;
      }
      const detail = await readWithRetries(() => client.getOrder(summary.id), progress.attempts);
      if (detail.kind === "not_found") continue;
      if (detail.kind !== "ok")
        return { ...progress, kind: "inconclusive", reason: "request_failed", failure: detail };
      if (!known) progress.ordersChecked += 1;
      options.cache?.set(id, detail.value);
      if (carriesKey(detail.value, key)) {
        return {
          ...progress,
          kind: "found",
          brilliantOrderId: String(detail.value.id),
          order: detail.value,
        };
      }
    }

    if (list.value.orders.length === 0 || page >= list.value.pagination.total_pages) {
      return { ...progress, kind: "not_found" };
    }
  }
  return { ...progress, kind: "inconclusive", reason: "page_limit", failure: null };
}
