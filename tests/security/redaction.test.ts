/**
 * Redaction, checked against the whole database: after customers/redact and
 * shop/redact, a scan of every text and JSON column of every table (read
 * from the database's own catalog, so a table added later is scanned too)
 * finds none of that customer's or that shop's personal data, and every
 * other customer's and shop's data is still there.
 *
 * GIVEN shop A with two customers (Jane, to be forgotten, and Bob) and shop
 *   B with Carol, each with a paid order full of personal data (email,
 *   phone, names, both addresses, a note), forwarded to Brilliant (the
 *   simulator, over HTTP) so attempts hold what was sent and what came back;
 *   Bob's create answered "1500 after creating", so his order was looked up
 *   by walking Brilliant's order list (which holds Jane's order too); a
 *   Brilliant status call that echoes Jane's order; Jane's second order held
 *   for an address Brilliant refused (2501),
 * WHEN customers/redact names Jane's orders (a real signed webhook),
 * THEN no column of any row anywhere holds any of Jane's values, and all of
 *   Bob's and Carol's are where they were;
 * WHEN shop/redact arrives for shop A,
 * THEN no row anywhere names shop A or holds Bob's values (or the staff
 *   member's of its online session), and all of Carol's are where they were.
 */
import { beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { action as brilliantStatus } from "../../app/routes/brilliant.status.$token";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as ordersPaid } from "../../app/routes/webhooks.orders.paid";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { seedAdminShop } from "../helpers/admin-session";
import { appTables, findInTextColumns, type TextHit } from "../helpers/catalog";
import { resetDatabase } from "../helpers/db";
import {
  forwardUntilSettled,
  makeForwarder,
  mapVariants,
  seedShopForForwarding,
  testOrder,
} from "../helpers/forwarding";
import { TEST_APP_URL } from "../setup/app-env";
import { answerOf, signedWebhook } from "./routes";

const SHOP_A = "redact-a.myshopify.com";
const SHOP_B = "redact-b.myshopify.com";

interface Customer {
  id: number;
  first: string;
  last: string;
  email: string;
  phone: string;
  address1: string;
  address2: string;
  city: string;
  zip: string;
  billing: string;
  note: string;
}

/** Values no test fixture shares by chance, so a hit is a leak. */
function customer(id: number, tag: string): Customer {
  return {
    id,
    first: `Firstname${tag}`,
    last: `Lastname${tag}`,
    email: `${tag.toLowerCase()}.buyer@example.com`,
    phone: `+1 512 555 ${String(id).padStart(4, "0")}`,
    address1: `${id} ${tag} Zephyr Lane`,
    address2: `Apartment ${tag}9`,
    city: `${tag}ville`,
    zip: `7${String(id).padStart(4, "0")}`,
    billing: `${id} ${tag} Billing Court`,
    note: `Leave it with ${tag}'s neighbour`,
  };
}

const JANE = customer(4101, "Jane");
const BOB = customer(4102, "Bobby");
const CAROL = customer(4103, "Carol");

/** Everything personal about a customer, as the scan looks for it. */
function personalValues(person: Customer): string[] {
  return [
    person.email,
    person.phone,
    person.first,
    person.last,
    `${person.first} ${person.last}`,
    person.address1,
    person.address2,
    person.billing,
    person.note,
    person.zip,
    person.city,
  ];
}

function paidOrderOf(person: Customer, number: number, overrides: Record<string, unknown> = {}) {
  const address = {
    first_name: person.first,
    last_name: person.last,
    name: `${person.first} ${person.last}`,
    address1: person.address1,
    address2: person.address2,
    city: person.city,
    province: "Texas",
    province_code: "TX",
    zip: person.zip,
    country_code: "US",
    phone: person.phone,
  };
  return testOrder(number, [{ variant: V.untracked, quantity: 1 }], {
    email: person.email,
    contact_email: person.email,
    phone: person.phone,
    note: person.note,
    customer: {
      id: person.id,
      email: person.email,
      first_name: person.first,
      last_name: person.last,
      phone: person.phone,
      default_address: { ...address },
    },
    shipping_address: address,
    billing_address: { ...address, address1: person.billing },
    ...overrides,
  });
}

const webhook = signedWebhook;

function describeHits(hits: TextHit[]): string[] {
  return hits.map((hit) => `${hit.table}.${hit.column} holds "${hit.needle}": …${hit.excerpt}…`);
}

let sim: RunningSimulator;
const janeOrders = [paidOrderOf(JANE, 1), paidOrderOf(JANE, 2)];
const bobOrder = paidOrderOf(BOB, 3);
const carolOrder = paidOrderOf(CAROL, 4);

beforeAll(async () => {
  sim = await startSimulator();
  await resetDatabase(prisma);
  for (const shop of [SHOP_A, SHOP_B]) {
    await seedAdminShop(shop);
    await seedShopForForwarding(shop);
    await mapVariants(shop, [V.untracked]);
  }
  // A staff member's online session holds their own personal data.
  await prisma.session.create({
    data: {
      id: `online_${SHOP_A}_1`,
      shop: SHOP_A,
      state: "seeded",
      isOnline: true,
      accessToken: "online-token",
      firstName: "Staffy",
      lastName: "McStaff",
      email: "staffy@redact-a.example.com",
    },
  });

  // Brilliant refuses Jane's second order's address (2501), in words that quote it: the order is
  // held with Brilliant's message, which lands in its reason, its transitions and an alert.
  sim.scriptFault({
    match: { endpoint: "POST /store/order", shopifyOrderName: janeOrders[1]!.name },
    fault: {
      kind: "code",
      code: 2501,
      message: `Invalid shipping address: ${JANE.address1}, ${JANE.city} ${JANE.zip} (${JANE.first} ${JANE.last})`,
    },
    times: 1,
  });
  // Bob's create is answered 1500 after Brilliant made the order: his order is found by a lookup
  // that walks Brilliant's list, Jane's order included.
  sim.scriptFault({
    match: { endpoint: "POST /store/order", shopifyOrderName: bobOrder.name },
    fault: { kind: "code1500", created: true },
    times: 1,
  });

  for (const [shop, body] of [
    [SHOP_A, janeOrders[0]!],
    [SHOP_A, janeOrders[1]!],
    [SHOP_A, bobOrder],
    [SHOP_B, carolOrder],
  ] as const) {
    expect((await answerOf(ordersPaid, webhook(shop, "orders/paid", body))).status).toBe(200);
  }
  await forwardUntilSettled([makeForwarder(sim.url, { retryBaseMs: 1, retryMaxMs: 5 })], {
    timeoutMs: 30_000,
  });

  // Brilliant's status call for Jane's order echoes her order back.
  const jane = await prisma.order.findFirstOrThrow({
    where: { shop: SHOP_A, shopifyOrderId: String(janeOrders[0]!.id) },
  });
  const token = (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP_A } })).statusWebhookToken;
  const echoed = sim.acceptedOrders().find((record) => String(record.order.id) === jane.brilliantOrderId);
  const statusCall = new Request(`${TEST_APP_URL}/brilliant/status/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...echoed?.order, status: "processing", ship_status: "unshipped" }),
  });
  expect((await brilliantStatus({ request: statusCall, params: { token }, context: {} })).status).toBe(200);
}, 60_000);

describe("redaction, scanned across every table", () => {
  it("GIVEN the setup THEN every customer's data is really stored before any redaction (the scan can see it)", async () => {
    const states = await prisma.order.findMany({ select: { name: true, state: true, holdKind: true } });
    expect(states).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: janeOrders[0]!.name, state: "forwarded" }),
        expect.objectContaining({ name: janeOrders[1]!.name, state: "held" }),
        expect.objectContaining({ name: bobOrder.name, state: "forwarded" }),
        expect.objectContaining({ name: carolOrder.name, state: "forwarded" }),
      ]),
    );
    for (const person of [JANE, BOB, CAROL]) {
      const found = new Set(
        (await findInTextColumns(prisma, personalValues(person))).map((hit) => hit.needle),
      );
      expect([...found].sort()).toEqual([...personalValues(person)].sort());
    }
    // Brilliant's status call stored Jane's address outside her order.
    const janeElsewhere = await findInTextColumns(prisma, [JANE.address1]);
    expect(janeElsewhere.some((hit) => hit.table === "BrilliantStatusEvent")).toBe(true);
  });

  it("WHEN customers/redact names Jane's orders THEN nothing of Jane is left anywhere, and Bob and Carol are untouched", async () => {
    const janeBefore = await findInTextColumns(prisma, personalValues(JANE));
    const response = await answerOf(
      customersRedact,
      webhook(SHOP_A, "customers/redact", {
        shop_id: 1,
        shop_domain: SHOP_A,
        customer: { id: JANE.id, email: JANE.email, phone: JANE.phone },
        orders_to_redact: janeOrders.map((order) => order.id),
      }),
    );
    expect(response.status).toBe(200);

    const janeLeft = await findInTextColumns(prisma, personalValues(JANE));
    console.log(
      `redaction: customers/redact tables=${(await appTables(prisma)).length} jane_hits_before=${janeBefore.length}` +
        ` jane_hits_after=${janeLeft.length}`,
    );
    expect(describeHits(janeLeft)).toEqual([]);
    for (const person of [BOB, CAROL]) {
      const found = new Set(
        (await findInTextColumns(prisma, personalValues(person))).map((hit) => hit.needle),
      );
      expect([...found].sort(), `${person.first}'s data`).toEqual([...personalValues(person)].sort());
    }
    // The sync history still adds up: orders, states and Brilliant ids stay.
    expect(await prisma.order.count({ where: { shop: SHOP_A } })).toBe(3);
  });

  it("WHEN shop/redact arrives for shop A THEN no row names shop A or holds its customers' or staff's data, and shop B is untouched", async () => {
    const response = await answerOf(
      shopRedact,
      webhook(SHOP_A, "shop/redact", { shop_id: 1, shop_domain: SHOP_A }),
    );
    expect(response.status).toBe(200);

    const shopA = [SHOP_A, "Staffy", "McStaff", "staffy@redact-a.example.com", ...personalValues(BOB)];
    const shopALeft = await findInTextColumns(prisma, shopA);
    console.log(`redaction: shop/redact shop_a_hits_after=${shopALeft.length}`);
    expect(describeHits(shopALeft)).toEqual([]);
    const found = new Set((await findInTextColumns(prisma, personalValues(CAROL))).map((hit) => hit.needle));
    expect([...found].sort()).toEqual([...personalValues(CAROL)].sort());
    expect((await findInTextColumns(prisma, [SHOP_B])).length).toBeGreaterThan(0);
  });
});
