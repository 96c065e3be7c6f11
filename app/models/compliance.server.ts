import prisma from "../db.server";
import { forgetSessionsOf } from "../services/session-storage.server";
import { settleInbox } from "./order-inbox.server";

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

/**
 * Keys whose string values name the customer wherever they appear (an error
 * message quoting the address, Brilliant echoing the order): these are
 * scrubbed by value from every row of the shop. The rest of an address (city,
 * zip, region, country) is shared by many customers and only scrubbed from
 * the redacted orders' own rows.
 */
const IDENTIFYING_KEYS = new Set([
  "email",
  "contact_email",
  "phone",
  "name",
  "first_name",
  "last_name",
  "address1",
  "address2",
  "address_1",
  "address_2",
  "note",
  "browser_ip",
  "name_on_card",
]);
const REGION_KEYS = new Set([
  "province",
  "province_code",
  "country",
  "country_code",
  "country_name",
  "state",
]);
/** Shorter values ("TX", "1") would scrub unrelated text. */
const MIN_SCRUBBED_LENGTH = 4;

interface PersonalValues {
  /** Values that identify the customer: scrubbed anywhere in the shop. */
  identifying: Set<string>;
  /** Also the rest of their addresses: scrubbed from their own orders' rows. */
  all: Set<string>;
}

/** The customer's string values found under personal-data keys of a stored order body. */
function collectPersonalValues(value: unknown, into: PersonalValues, underPii = false, key = ""): void {
  if (typeof value === "string") {
    const text = value.trim();
    if (!underPii || text.length < MIN_SCRUBBED_LENGTH || REGION_KEYS.has(key)) return;
    into.all.add(text);
    if (IDENTIFYING_KEYS.has(key)) into.identifying.add(text);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectPersonalValues(item, into, underPii, key);
    return;
  }
  if (value && typeof value === "object") {
    for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
      collectPersonalValues(innerValue, into, underPii || PII_KEYS.has(inner), inner);
    }
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `text` with every occurrence of each value (any case, also JSON-escaped) replaced by the redaction mark. */
function scrubValues(text: string, values: Iterable<string>): string {
  let scrubbed = text;
  for (const value of values) {
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      scrubbed = scrubbed.replace(new RegExp(escapeRegExp(form), "gi"), REDACTED);
    }
  }
  return scrubbed;
}

function scrubNullable(text: string | null, values: Iterable<string>): string | null {
  return text === null ? null : scrubValues(text, values);
}

/** A filter for rows whose `column` may hold one of the values (the scrub itself ignores case). */
function mentioning<C extends string>(column: C, values: Iterable<string>) {
  return [...values].flatMap((value) =>
    [...new Set([value, value.toLowerCase(), value.toUpperCase()])].map(
      (form) => ({ [column]: { contains: form } }) as Record<C, { contains: string }>,
    ),
  );
}

/**
 * customers/redact: scrub the named orders of one shop, and every other row
 * of the shop that quotes them. Returns how many orders were found.
 *
 * Personal data is removed by structure where the app stored a body (the
 * order as Shopify sent it, what was sent to Brilliant and what came back,
 * Brilliant's status calls about the order) and by value where it arrived as
 * free text: a message of Brilliant's quoting the address lands in the
 * attempt, the order's last message, its transitions and alerts; a lookup
 * that walked Brilliant's order list, or a status call that named no order
 * of ours, can hold the customer's order under another row.
 */
export async function redactCustomerOrders(
  shop: string,
  shopifyOrderIds: string[],
  customer: { email?: string | null; phone?: string | null } = {},
): Promise<number> {
  if (shopifyOrderIds.length === 0) return 0;
  await settleInbox(shop);
  const orders = await prisma.order.findMany({
    where: { shop, shopifyOrderId: { in: shopifyOrderIds } },
    select: { id: true, payload: true },
  });
  const values: PersonalValues = { identifying: new Set(), all: new Set() };
  for (const contact of [customer.email, customer.phone]) {
    if (contact && contact.trim().length >= MIN_SCRUBBED_LENGTH) {
      values.identifying.add(contact.trim());
      values.all.add(contact.trim());
    }
  }
  for (const order of orders) {
    try {
      collectPersonalValues(JSON.parse(order.payload), values);
    } catch {
      // An unreadable payload is replaced whole below.
    }
  }

  for (const order of orders) {
    const attempts = await prisma.forwardAttempt.findMany({
      where: { orderId: order.id },
      select: { id: true, requestBody: true, responseBody: true, message: true },
    });
    const current = await prisma.order.findUniqueOrThrow({
      where: { id: order.id },
      select: { lastMessage: true, stateReason: true },
    });
    const transitions = await prisma.orderTransition.findMany({
      where: { orderId: order.id },
      select: { id: true, reason: true },
    });
    const events = await prisma.brilliantStatusEvent.findMany({
      where: { shop, orderId: order.id },
      select: { id: true, body: true },
    });
    await prisma.$transaction([
      prisma.order.update({
        where: { id: order.id },
        data: {
          payload: redactJsonText(order.payload) ?? "{}",
          lastMessage: scrubNullable(current.lastMessage, values.all),
          stateReason: scrubNullable(current.stateReason, values.all),
        },
      }),
      ...attempts.map((attempt) =>
        prisma.forwardAttempt.update({
          where: { id: attempt.id },
          data: {
            requestBody: scrubNullable(redactJsonText(attempt.requestBody), values.all),
            responseBody: scrubNullable(redactJsonText(attempt.responseBody), values.all),
            message: scrubNullable(attempt.message, values.all),
            invalidRecords: REDACTED,
          },
        }),
      ),
      ...transitions.map((transition) =>
        prisma.orderTransition.update({
          where: { id: transition.id },
          data: { reason: scrubNullable(transition.reason, values.all) },
        }),
      ),
      ...events.map((event) =>
        prisma.brilliantStatusEvent.update({
          where: { id: event.id },
          data: { body: scrubValues(redactJsonText(event.body) ?? REDACTED, values.all) },
        }),
      ),
    ]);
  }
  await scrubElsewhereInShop(
    shop,
    orders.map((order) => order.id),
    values,
  );
  return orders.length;
}

/** Rows of the shop outside the redacted orders that quote the customer. */
async function scrubElsewhereInShop(shop: string, orderIds: string[], values: PersonalValues): Promise<void> {
  if (values.identifying.size === 0) return;
  const identifying = values.identifying;
  const alerts = await prisma.alert.findMany({
    where: {
      shop,
      OR: [
        { orders: { some: { orderId: { in: orderIds } } } },
        ...mentioning("title", identifying),
        ...mentioning("detail", identifying),
      ],
    },
    select: { id: true, title: true, detail: true, orders: { select: { orderId: true } } },
  });
  const attempts = await prisma.forwardAttempt.findMany({
    where: {
      shop,
      OR: [
        ...mentioning("responseBody", identifying),
        ...mentioning("requestBody", identifying),
        ...mentioning("message", identifying),
      ],
    },
    select: { id: true, requestBody: true, responseBody: true, message: true },
  });
  const orders = await prisma.order.findMany({
    where: {
      shop,
      OR: [...mentioning("lastMessage", identifying), ...mentioning("stateReason", identifying)],
    },
    select: { id: true, lastMessage: true, stateReason: true },
  });
  const transitions = await prisma.orderTransition.findMany({
    where: { shop, OR: mentioning("reason", identifying) },
    select: { id: true, reason: true },
  });
  const events = await prisma.brilliantStatusEvent.findMany({
    where: { shop, OR: mentioning("body", identifying) },
    select: { id: true, body: true },
  });
  const ofRedactedOrder = (alert: (typeof alerts)[number]) =>
    alert.orders.some((link) => orderIds.includes(link.orderId));
  await prisma.$transaction([
    ...alerts.map((alert) => {
      const scrubbed = ofRedactedOrder(alert) ? values.all : identifying;
      return prisma.alert.update({
        where: { id: alert.id },
        data: { title: scrubValues(alert.title, scrubbed), detail: scrubValues(alert.detail, scrubbed) },
      });
    }),
    ...attempts.map((attempt) =>
      prisma.forwardAttempt.update({
        where: { id: attempt.id },
        data: {
          requestBody: scrubNullable(attempt.requestBody, identifying),
          responseBody: scrubNullable(attempt.responseBody, identifying),
          message: scrubNullable(attempt.message, identifying),
        },
      }),
    ),
    ...orders.map((order) =>
      prisma.order.update({
        where: { id: order.id },
        data: {
          lastMessage: scrubNullable(order.lastMessage, identifying),
          stateReason: scrubNullable(order.stateReason, identifying),
        },
      }),
    ),
    ...transitions.map((transition) =>
      prisma.orderTransition.update({
        where: { id: transition.id },
        data: { reason: scrubNullable(transition.reason, identifying) },
      }),
    ),
    ...events.map((event) =>
      prisma.brilliantStatusEvent.update({
        where: { id: event.id },
        data: { body: scrubValues(event.body, identifying) },
      }),
    ),
  ]);
}

/** customers/data_request: what the app holds for these orders, for the merchant to pass on. */
export async function customerDataSummary(shop: string, shopifyOrderIds: string[]) {
  await settleInbox(shop);
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
    prisma.orderInbox.deleteMany({ where: { shop } }),
    prisma.variantMapping.deleteMany({ where: { shop } }),
    prisma.brilliantVariant.deleteMany({ where: { shop } }),
    prisma.shopifyVariant.deleteMany({ where: { shop } }),
    prisma.syncRun.deleteMany({ where: { shop } }),
    prisma.brilliantStatusEvent.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shopSettings.deleteMany({ where: { shop } }),
  ]);
  forgetSessionsOf(prisma, shop);
}
