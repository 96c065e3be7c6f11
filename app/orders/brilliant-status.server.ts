import { createHash } from "node:crypto";

import { Prisma } from "@prisma/client";
import { z } from "zod/v4";
import prisma from "../db.server";
import type { BrilliantClient } from "../integrations/brilliant/client.server";
import { queueFulfillmentWriteBack } from "./fulfillment-write-back.server";
import { trackingFrom, type Tracking } from "./shipment-tracking";
import { canonicalShopifyId } from "../models/shopify-id";

/**
 * Brilliant's side of a forwarded order: its status and ship_status, learned
 * from the status webhook Brilliant calls (body undocumented, so every call is
 * stored as received) and, as the fallback, by polling GET /store/order/{id}.
 */
const CallbackSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).nullish(),
  status: z.string().nullish(),
  ship_status: z.string().nullish(),
  // Read leniently: an unreadable date only loses its say in the ordering.
  updated_at: z.unknown(),
  custom_data: z
    .looseObject({
      shopify_shop: z.string().nullish(),
      shopify_order_id: z.union([z.string(), z.number()]).nullish(),
    })
    .nullish(),
});

/**
 * What became of a call: `updated` (the order shows it now), `stale` (older
 * than what the order shows, kept but not applied), `duplicate` (the same
 * body again: not stored twice; `eventId` is the first one's).
 */
export type StatusCallbackOutcome =
  "updated" | "stale" | "duplicate" | "no_matching_order" | "unrecognised_body";

export type StatusCallbackResult =
  | { kind: "not_json"; eventId: string }
  | { kind: "stored"; eventId: string; outcome: StatusCallbackOutcome; orderId: string | null };

const SHIPPED = new Set(["shipped", "delivered", "complete", "completed", "fulfilled"]);

export function isShipped(status: string | null | undefined, shipStatus: string | null | undefined): boolean {
  return SHIPPED.has((shipStatus ?? "").toLowerCase()) || SHIPPED.has((status ?? "").toLowerCase());
}

/**
 * Brilliant's lifecycle, as far as its names are known (the contract shows
 * only "created" for a new order; the rest are the progress names the app
 * reads). It orders two views when either lacks updated_at; other names are
 * not ordered.
 */
const LIFECYCLE_RANK: Readonly<Record<string, number>> = {
  created: 0,
  pending: 0,
  processing: 1,
  partially_shipped: 2,
  shipped: 3,
  fulfilled: 3,
  delivered: 4,
  complete: 4,
  completed: 4,
};

function lifecycleRank(view: { status: string | null; shipStatus: string | null }): number | null {
  const ranks = [view.status, view.shipStatus]
    .map((name) => LIFECYCLE_RANK[(name ?? "").toLowerCase()])
    .filter((rank): rank is number => rank !== undefined);
  return ranks.length === 0 ? null : Math.max(...ranks);
}

/** How far ahead of our clock an updated_at is believed: a date far in the future would freeze the order's status. */
const UPDATED_AT_LEEWAY_MS = 24 * 3_600_000;

/** Brilliant's updated_at as a date; null when absent, unreadable or implausibly far ahead. */
export function brilliantUpdatedAt(value: unknown, now = new Date()): Date | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const date = new Date(value);
  const time = date.getTime();
  if (Number.isNaN(time) || time > now.getTime() + UPDATED_AT_LEEWAY_MS) return null;
  return date;
}

export interface BrilliantView {
  id: string | null;
  status: string | null;
  shipStatus: string | null;
  /** Brilliant's updated_at for this view, when it gave one. */
  updatedAt: Date | null;
  tracking?: Tracking | null;
}

interface ShownView {
  brilliantStatus: string | null;
  brilliantShipStatus: string | null;
  brilliantUpdatedAt: Date | null;
}

/**
 * Whether `next` is newer than what the order shows: by Brilliant's
 * updated_at when both have one, else by the lifecycle, never backwards.
 */
function supersedes(next: BrilliantView, shown: ShownView): boolean {
  if (shown.brilliantStatus === null && shown.brilliantShipStatus === null) return true;
  const nextRank = lifecycleRank(next);
  const shownRank = lifecycleRank({ status: shown.brilliantStatus, shipStatus: shown.brilliantShipStatus });
  if (next.updatedAt && shown.brilliantUpdatedAt) {
    const diff = next.updatedAt.getTime() - shown.brilliantUpdatedAt.getTime();
    // The same instant is news only as a step forward.
    if (diff === 0) return nextRank !== null && shownRank !== null && nextRank > shownRank;
    return diff > 0;
  }
  return nextRank === null || shownRank === null || nextRank >= shownRank;
}

/** Two processes may apply views of one order at once: each write is a compare-and-set on what it read. */
const APPLY_ATTEMPTS = 10;

/**
 * Shows Brilliant's view on the order when it is newer than the one shown
 * (compare-and-set), and fills in Brilliant's id when its 1200 answer had
 * none. Returns whether the view was applied. `db` may be a transaction.
 */
async function showIfNewer(
  db: Prisma.TransactionClient,
  shop: string,
  orderId: string,
  view: BrilliantView,
): Promise<boolean> {
  if (view.id) {
    await db.order.updateMany({
      where: { shop, id: orderId, brilliantOrderId: null },
      data: { brilliantOrderId: view.id },
    });
  }
  for (let attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
    const shown = await db.order.findFirst({
      where: { shop, id: orderId },
      select: { brilliantStatus: true, brilliantShipStatus: true, brilliantUpdatedAt: true },
    });
    if (!shown || !supersedes(view, shown)) return false;
    const written = await db.order.updateMany({
      where: { shop, id: orderId, ...shown },
      data: {
        brilliantStatus: view.status,
        brilliantShipStatus: view.shipStatus,
        // A view without a date keeps the last one known, so an older dated call still loses to it.
        brilliantUpdatedAt: view.updatedAt ?? shown.brilliantUpdatedAt,
        brilliantCheckedAt: new Date(),
      },
    });
    if (written.count === 1) return true;
  }
  throw new Error(`Brilliant's view of order ${orderId} kept changing under ${APPLY_ATTEMPTS} attempts`);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Brilliant's call to a shop's status webhook_url. Every distinct body is
 * stored as received (the body is undocumented); the same body again (a
 * replay or redelivery) is recognised by its hash and stored once. The order
 * shows the status only when it is newer than the one it shows.
 */
export async function recordStatusCallback(shop: string, rawBody: string): Promise<StatusCallbackResult> {
  const bodyHash = createHash("sha256").update(rawBody, "utf8").digest("hex");

  const replayOf = async (): Promise<StatusCallbackResult | null> => {
    const first = await prisma.brilliantStatusEvent.findUnique({
      where: { shop_bodyHash: { shop, bodyHash } },
      select: { id: true, outcome: true, orderId: true },
    });
    if (!first) return null;
    return first.outcome === "not_json"
      ? { kind: "not_json", eventId: first.id }
      : { kind: "stored", eventId: first.id, outcome: "duplicate", orderId: first.orderId };
  };
  /**
   * Stores the call once, with `apply` in the same transaction: a replay that
   * races it finds the first one's row (unique on shop and hash) and changes nothing.
   */
  const storeOnce = async (
    outcome: "not_json" | "no_matching_order" | "unrecognised_body" | "updated",
    orderId: string | null,
    apply?: (tx: Prisma.TransactionClient) => Promise<boolean>,
  ): Promise<{ eventId: string; applied: boolean } | StatusCallbackResult> => {
    try {
      return await prisma.$transaction(async (tx) => {
        const event = await tx.brilliantStatusEvent.create({
          data: { shop, body: rawBody, bodyHash, outcome, orderId },
          select: { id: true },
        });
        const applied = apply ? await apply(tx) : false;
        if (apply && !applied) {
          await tx.brilliantStatusEvent.update({ where: { id: event.id }, data: { outcome: "stale" } });
        }
        return { eventId: event.id, applied };
      });
    } catch (error) {
      const replay = isUniqueViolation(error) ? await replayOf() : null;
      if (replay) return replay;
      throw error;
    }
  };
  const stored = async (
    outcome: "no_matching_order" | "unrecognised_body",
  ): Promise<StatusCallbackResult> => {
    const result = await storeOnce(outcome, null);
    return "kind" in result ? result : { kind: "stored", eventId: result.eventId, outcome, orderId: null };
  };

  const replay = await replayOf();
  if (replay) return replay;

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    const result = await storeOnce("not_json", null);
    return "kind" in result ? result : { kind: "not_json", eventId: result.eventId };
  }
  const parsed = CallbackSchema.safeParse(json);
  if (!parsed.success || (!parsed.data.status && !parsed.data.ship_status))
    return stored("unrecognised_body");

  const body = parsed.data;
  // Canonical, as orders are keyed (app/models/shopify-id.ts).
  const shopifyOrderId = canonicalShopifyId(body.custom_data?.shopify_order_id);
  // Our custom_data names the order; a body without it can still match by Brilliant's id.
  const order =
    (shopifyOrderId != null && (!body.custom_data?.shopify_shop || body.custom_data.shopify_shop === shop)
      ? await prisma.order.findUnique({
          where: { shop_shopifyOrderId: { shop, shopifyOrderId } },
          select: { id: true },
        })
      : null) ??
    (body.id != null
      ? await prisma.order.findFirst({
          where: { shop, brilliantOrderId: String(body.id) },
          select: { id: true },
        })
      : null);
  if (!order) return stored("no_matching_order");

  const view: BrilliantView = {
    id: body.id == null ? null : String(body.id),
    status: body.status ?? null,
    shipStatus: body.ship_status ?? null,
    updatedAt: brilliantUpdatedAt(body.updated_at),
    tracking: trackingFrom(body),
  };
  const result = await storeOnce("updated", order.id, (tx) => showIfNewer(tx, shop, order.id, view));
  if ("kind" in result) return result;
  if (result.applied) await afterShown(shop, order.id, view);
  return {
    kind: "stored",
    eventId: result.eventId,
    outcome: result.applied ? "updated" : "stale",
    orderId: order.id,
  };
}

/** Once the order shows Brilliant's shipped, the Shopify order is queued to be marked fulfilled (when the shop turned that on). */
async function afterShown(shop: string, orderId: string, view: BrilliantView): Promise<void> {
  if (isShipped(view.status, view.shipStatus))
    await queueFulfillmentWriteBack(shop, orderId, view.tracking ?? null);
}

/**
 * Stores Brilliant's view of an order when it is newer than the one shown,
 * and then queues the fulfillment write-back when it says shipped. Returns
 * whether it was applied.
 */
export async function applyBrilliantView(
  shop: string,
  orderId: string,
  view: BrilliantView,
): Promise<boolean> {
  const applied = await showIfNewer(prisma, shop, orderId, view);
  if (applied) await afterShown(shop, orderId, view);
  return applied;
}

/**
 * The fallback for lost or missing status webhooks: reads forwarded, not yet
 * shipped orders from Brilliant, oldest check first, once they were forwarded
 * or last read at least `olderThanMs` ago. Returns how many it read.
 */
export async function pollForwardedOrders(
  shop: string,
  client: BrilliantClient,
  options: { olderThanMs: number; limit: number },
): Promise<number> {
  const before = new Date(Date.now() - options.olderThanMs);
  const orders = await prisma.order.findMany({
    where: {
      shop,
      state: "forwarded",
      brilliantOrderId: { not: null },
      // Never read yet: due once it was forwarded longer ago than the interval (the
      // create answer was Brilliant's view then); read before: due once that is as old.
      OR: [
        { brilliantCheckedAt: null, OR: [{ forwardedAt: null }, { forwardedAt: { lt: before } }] },
        { brilliantCheckedAt: { lt: before } },
      ],
    },
    orderBy: { brilliantCheckedAt: { sort: "asc", nulls: "first" } },
    take: options.limit * 2,
    select: { id: true, brilliantOrderId: true, brilliantStatus: true, brilliantShipStatus: true },
  });
  let read = 0;
  for (const order of orders
    .filter((o) => !isShipped(o.brilliantStatus, o.brilliantShipStatus))
    .slice(0, options.limit)) {
    const answer = await client.getOrder(order.brilliantOrderId!);
    if (answer.kind === "ok") {
      const applied = await applyBrilliantView(shop, order.id, {
        id: null,
        status: answer.value.status == null ? null : String(answer.value.status),
        shipStatus: answer.value.ship_status == null ? null : String(answer.value.ship_status),
        updatedAt: brilliantUpdatedAt(answer.value.updated_at),
        tracking: trackingFrom(answer.value as Record<string, unknown>),
      });
      // Read even when a newer status webhook got there first: not due again until the interval passes.
      if (!applied) {
        await prisma.order.updateMany({
          where: { shop, id: order.id },
          data: { brilliantCheckedAt: new Date() },
        });
      }
      read += 1;
    } else if (answer.kind === "throttled" || answer.kind === "bad_credentials") {
      break;
    } else {
      await prisma.order.updateMany({
        where: { shop, id: order.id },
        data: { brilliantCheckedAt: new Date() },
      });
    }
  }
  return read;
}
