import prisma from "../db.server";

/**
 * What Shopify's compliance webhooks ask of the app. Customer personal data
 * lives in three places: the stored webhook body (Order.payload), and the
 * request and response bodies of each attempt (the shipping address we sent
 * and Brilliant echoed back). Redaction rewrites those; order ids, states and
 * codes stay, so the merchant's sync history still adds up.
 */
const REDACTED = "[redacted]";
const PII_KEYS = new Set([
  "customer",
  "email",
  "contact_email",
  "phone",
  "shipping_address",
  "billing_address",
  "note",
  "note_attributes",
  "client_details",
  "browser_ip",
  "name_on_card",
  "invalid_records",
]);

/** Replaces every value under a personal-data key, at any depth. */
export function redactPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPersonalData);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        PII_KEYS.has(key) && inner !== null ? REDACTED : redactPersonalData(inner),
      ]),
    );
  }
  return value;
}

function redactJsonText(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(redactPersonalData(JSON.parse(text)));
  } catch {
    // Not JSON (an HTML error page, say): it cannot be scrubbed field by field.
    return REDACTED;
  }
}

/** customers/redact: scrub the named orders of one shop. Returns how many were found. */
export async function redactCustomerOrders(shop: string, shopifyOrderIds: string[]): Promise<number> {
  if (shopifyOrderIds.length === 0) return 0;
  const orders = await prisma.order.findMany({
    where: { shop, shopifyOrderId: { in: shopifyOrderIds } },
    select: { id: true, payload: true },
  });
  for (const order of orders) {
    const attempts = await prisma.forwardAttempt.findMany({
      where: { orderId: order.id },
      select: { id: true, requestBody: true, responseBody: true, invalidRecords: true },
    });
    await prisma.$transaction([
      prisma.order.update({
        where: { id: order.id },
        data: { payload: redactJsonText(order.payload) ?? "{}" },
      }),
      ...attempts.map((attempt) =>
        prisma.forwardAttempt.update({
          where: { id: attempt.id },
          data: {
            requestBody: redactJsonText(attempt.requestBody),
            responseBody: redactJsonText(attempt.responseBody),
            invalidRecords: attempt.invalidRecords === null ? null : REDACTED,
          },
        }),
      ),
    ]);
  }
  return orders.length;
}

/** customers/data_request: what the app holds for these orders, for the merchant to pass on. */
export async function customerDataSummary(shop: string, shopifyOrderIds: string[]) {
  const orders = await prisma.order.findMany({
    where: { shop, shopifyOrderId: { in: shopifyOrderIds } },
    select: { shopifyOrderId: true, name: true, state: true, brilliantOrderId: true, createdAt: true },
  });
  return orders;
}

/** shop/redact: everything the app holds for the shop, gone. */
export async function deleteShopData(shop: string): Promise<void> {
  await prisma.$transaction([
    prisma.alert.deleteMany({ where: { shop } }),
    prisma.order.deleteMany({ where: { shop } }),
    prisma.variantMapping.deleteMany({ where: { shop } }),
    prisma.brilliantVariant.deleteMany({ where: { shop } }),
    prisma.shopifyVariant.deleteMany({ where: { shop } }),
    prisma.syncRun.deleteMany({ where: { shop } }),
    prisma.brilliantStatusEvent.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shopSettings.deleteMany({ where: { shop } }),
  ]);
}
