import { z } from "zod/v4";
import prisma from "../db.server";
import type { BrilliantClient } from "../services/brilliant/client.server";
import { queueFulfillmentWriteBack, trackingFrom, type Tracking } from "./fulfillment-write-back.server";

/**
 * Brilliant's side of a forwarded order: its status and ship_status, learned
 * from the status webhook Brilliant calls (body undocumented, so every call is
 * stored as received) and, as the fallback, by polling GET /store/order/{id}.
 */
const CallbackSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).nullish(),
  status: z.string().nullish(),
  ship_status: z.string().nullish(),
  custom_data: z
    .looseObject({
      shopify_shop: z.string().nullish(),
      shopify_order_id: z.union([z.string(), z.number()]).nullish(),
    })
    .nullish(),
});

export type StatusCallbackResult =
  | { kind: "unknown_token" }
  | { kind: "not_json"; eventId: string }
  | {
      kind: "stored";
      eventId: string;
      outcome: "updated" | "no_matching_order" | "unrecognised_body";
      orderId: string | null;
    };

const SHIPPED = new Set(["shipped", "delivered", "complete", "completed", "fulfilled"]);

export function isShipped(status: string | null | undefined, shipStatus: string | null | undefined): boolean {
  return SHIPPED.has((shipStatus ?? "").toLowerCase()) || SHIPPED.has((status ?? "").toLowerCase());
}

export async function recordStatusCallback(token: string, rawBody: string): Promise<StatusCallbackResult> {
  const settings = await prisma.shopSettings.findUnique({
    where: { statusWebhookToken: token },
    select: { shop: true },
  });
  if (!settings) return { kind: "unknown_token" };
  const { shop } = settings;

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    const event = await prisma.brilliantStatusEvent.create({
      data: { shop, body: rawBody, outcome: "not_json" },
    });
    return { kind: "not_json", eventId: event.id };
  }
  const parsed = CallbackSchema.safeParse(json);
  const store = async (
    outcome: "updated" | "no_matching_order" | "unrecognised_body",
    orderId: string | null,
  ) => {
    const event = await prisma.brilliantStatusEvent.create({
      data: { shop, body: rawBody, outcome, orderId },
    });
    return { kind: "stored" as const, eventId: event.id, outcome, orderId };
  };
  if (!parsed.success || (!parsed.data.status && !parsed.data.ship_status))
    return store("unrecognised_body", null);

  const body = parsed.data;
  const shopifyOrderId = body.custom_data?.shopify_order_id;
  // Our custom_data names the order; a body without it can still match by Brilliant's id.
  const order =
    (shopifyOrderId != null && (!body.custom_data?.shopify_shop || body.custom_data.shopify_shop === shop)
      ? await prisma.order.findUnique({
          where: { shop_shopifyOrderId: { shop, shopifyOrderId: String(shopifyOrderId) } },
        })
      : null) ??
    (body.id != null
      ? await prisma.order.findFirst({ where: { shop, brilliantOrderId: String(body.id) } })
      : null);
  if (!order) return store("no_matching_order", null);

  await applyBrilliantView(shop, order.id, {
    id: body.id == null ? null : String(body.id),
    status: body.status ?? null,
    shipStatus: body.ship_status ?? null,
    tracking: trackingFrom(body),
  });
  return store("updated", order.id);
}

/**
 * Stores Brilliant's view of an order; once it says shipped, the Shopify order
 * is queued to be marked fulfilled (when the shop turned that on).
 */
export async function applyBrilliantView(
  shop: string,
  orderId: string,
  view: { id: string | null; status: string | null; shipStatus: string | null; tracking?: Tracking | null },
): Promise<void> {
  await prisma.order.updateMany({
    where: { shop, id: orderId },
    data: {
      brilliantStatus: view.status,
      brilliantShipStatus: view.shipStatus,
      brilliantCheckedAt: new Date(),
    },
  });
  if (view.id) {
    // Fill in Brilliant's id when its 1200 answer had none.
    await prisma.order.updateMany({
      where: { shop, id: orderId, brilliantOrderId: null },
      data: { brilliantOrderId: view.id },
    });
  }
  if (isShipped(view.status, view.shipStatus))
    await queueFulfillmentWriteBack(shop, orderId, view.tracking ?? null);
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
      await applyBrilliantView(shop, order.id, {
        id: null,
        status: answer.value.status == null ? null : String(answer.value.status),
        shipStatus: answer.value.ship_status == null ? null : String(answer.value.ship_status),
        tracking: trackingFrom(answer.value as Record<string, unknown>),
      });
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
