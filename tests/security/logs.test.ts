/**
 * No customer personal data in logs: the app's one logger
 * (app/logger.server.ts) is pointed at a capturing destination at the most
 * verbose level, and an order's whole life runs through the real code:
 * signed orders/paid webhooks (one malformed), the forwarder against the
 * simulator over HTTP (accepted; 2501 with a message quoting the address;
 * 1500 after creating, so a lookup), Brilliant's status call echoing the
 * order, customers/data_request, customers/redact and shop/redact.
 *
 * THEN no captured line holds the customer's email, phone, names, address
 *   lines, zip or note, and the log did capture the run (so the scan saw
 *   something).
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { logger } from "../../app/logger.server";
import { action as dataRequest } from "../../app/routes/webhooks.customers.data_request";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as ordersPaid } from "../../app/routes/webhooks.orders.paid";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { callBrilliantStatus } from "../helpers/brilliant-status-call";
import { resetDatabase } from "../helpers/db";
import {
  faultOnCreate,
  forwardAllQuickly,
  mapVariants,
  seedShopForForwarding,
  shopifyAddress,
  testOrder,
} from "../helpers/forwarding";
import { signedWebhook } from "../helpers/webhooks";
import { answerOf } from "./routes";

const SHOP = "logs-pii.myshopify.com";
const PERSON = {
  first: "Loggable",
  last: "Neverlogged",
  email: "loggable.neverlogged@example.com",
  phone: "+1 737 555 0142",
  address1: "77 Quietlog Avenue",
  address2: "Unit Q7",
  city: "Silentburg",
  zip: "73377",
  note: "Ring Loggable's bell twice",
};
const PII = Object.values(PERSON);

const lines: string[] = [];
const streamSym = pino.symbols.streamSym as unknown as keyof typeof logger;
let originalStream: unknown;
let originalLevel: string;
let sim: RunningSimulator;

function order(number: number) {
  const address = shopifyAddress(PERSON);
  return testOrder(number, [{ variant: V.untracked, quantity: 1 }], {
    email: PERSON.email,
    phone: PERSON.phone,
    note: PERSON.note,
    customer: { id: 5150, email: PERSON.email, first_name: PERSON.first, last_name: PERSON.last },
    shipping_address: address,
    billing_address: address,
  });
}

const webhook = (topic: string, body: unknown) => signedWebhook(SHOP, topic, body);

beforeAll(async () => {
  originalStream = logger[streamSym];
  originalLevel = logger.level;
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
    write: (line: string) => {
      lines.push(line);
    },
  };
  logger.level = "trace";
  sim = await startSimulator();
  await resetDatabase(prisma);
  await seedShopForForwarding(SHOP);
  await mapVariants(SHOP, [V.untracked]);
});

afterAll(async () => {
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = originalStream;
  logger.level = originalLevel;
  await sim?.close();
});

describe("no customer personal data in logs", () => {
  it("GIVEN an order's whole life at the most verbose level THEN no log line holds the customer's personal data", async () => {
    const orders = [order(1), order(2), order(3)];
    faultOnCreate(sim, orders[1]!.name, {
      kind: "code",
      code: 2501,
      message: `Invalid shipping address: ${PERSON.address1}, ${PERSON.city} (${PERSON.first} ${PERSON.last})`,
    });
    faultOnCreate(sim, orders[2]!.name, { kind: "code1500", created: true });

    for (const body of orders)
      expect((await answerOf(ordersPaid, webhook("orders/paid", body))).status).toBe(200);
    // A body that is not an order: its parse issues are logged, never its content.
    const broken = { ...orders[0]!, line_items: PERSON.address1 };
    expect((await answerOf(ordersPaid, webhook("orders/paid", broken))).status).toBe(400);

    await forwardAllQuickly(sim.url);

    const forwarded = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, state: "forwarded" } });
    const echoed = sim
      .acceptedOrders()
      .find((record) => String(record.order.id) === forwarded.brilliantOrderId);
    const statusCall = { ...echoed?.order, status: "processing", ship_status: "unshipped" };
    expect((await callBrilliantStatus(SHOP, statusCall)).status).toBe(200);
    expect((await callBrilliantStatus(SHOP, `shipped to ${PERSON.address1}`)).status).toBe(400);

    const ids = orders.map((body) => body.id);
    const customer = { id: 5150, email: PERSON.email, phone: PERSON.phone };
    expect(
      (
        await answerOf(
          dataRequest,
          webhook("customers/data_request", { customer, orders_requested: ids, data_request: { id: 1 } }),
        )
      ).status,
    ).toBe(200);
    expect(
      (await answerOf(customersRedact, webhook("customers/redact", { customer, orders_to_redact: ids })))
        .status,
    ).toBe(200);
    expect((await answerOf(shopRedact, webhook("shop/redact", { shop_domain: SHOP }))).status).toBe(200);

    const leaks = lines.flatMap((line) =>
      PII.filter((value) => line.toLowerCase().includes(value.toLowerCase())).map(
        (value) => `"${value}" in ${line.slice(0, 300)}`,
      ),
    );
    console.log(`logs: lines=${lines.length} scanned_values=${PII.length} leaks=${leaks.length}`);
    expect(lines.length).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  }, 60_000);
});
