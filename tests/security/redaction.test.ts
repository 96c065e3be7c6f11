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
 *
 * Retention (RETENTION_DAYS, decision 017) is checked the same way: an old
 * forwarded order's data is gone from every table, while a young order's and
 * an old held order's stay.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { Prisma } from "@prisma/client";
import { beforeAll, describe, expect, it } from "vitest";

import prisma, { adapterOf, databaseKind } from "../../app/db.server";
import { SqliteAdapterFactory } from "../../app/db/driver-adapter.server";
import { sqlFor } from "../../app/db/sql.server";
import { TEXT_COLUMNS } from "../../app/orders/compliance/text-columns";
import { flushReceivedOrders } from "../../app/orders/ingest.server";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as ordersPaid } from "../../app/routes/webhooks.orders.paid";
import { action as productsUpdate } from "../../app/routes/webhooks.products.update";
import { applyQueuedProductUpdates } from "../../app/catalog/product-update-queue.server";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { loader as orderPage } from "../../app/routes/app.orders.$id";
import { removeExpiredPersonalData } from "../../app/ops/retention.server";
import { retentionChore } from "../../app/worker/chores.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { adminRequest, callRoute, seedAdminShop } from "../helpers/admin-session";
import { callBrilliantStatus } from "../helpers/brilliant-status-call";
import { appTables, findInTextColumns, type TextHit } from "../helpers/catalog";
import { resetDatabase } from "../helpers/db";
import { startWorkerProcess, stopProcess } from "../integration/processes";
import {
  faultOnCreate,
  forwardAllQuickly,
  forwardUntilSettled,
  makeForwarder,
  mapVariants,
  SETTLED_STATES,
  seedShopForForwarding,
  shopifyAddress,
  testOrder,
} from "../helpers/forwarding";
import { signedWebhook } from "../helpers/webhooks";
import { answerOf } from "./routes";

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
    // ZIP+4: five digits alone turn up in random ids and hashes by chance.
    zip: `7${String(id).padStart(4, "0")}-${String(id).padStart(4, "0")}`,
    billing: `${id} ${tag} Billing Court`,
    note: `Leave it with ${tag}'s neighbour`,
  };
}

const JANE = customer(4101, "Jane");
const BOB = customer(4102, "Bobby");
const CAROL = customer(4103, "Carol");

/** Everything personal about a customer, as the scan looks for it. */
function personalValues(person: Customer): string[] {
  return valuesOf(person, [
    "email",
    "phone",
    "first",
    "last",
    "fullName",
    "address1",
    "address2",
    "billing",
    "note",
    "zip",
    "city",
  ]);
}

/** The customer's values of `fields`, in that order ("fullName": first and last name). */
function valuesOf(person: Customer, fields: Array<Exclude<keyof Customer, "id"> | "fullName">): string[] {
  return fields.map((field) => (field === "fullName" ? `${person.first} ${person.last}` : person[field]));
}

function addressOf(person: Customer) {
  return { ...shopifyAddress(person), province: "Texas" };
}

/** A paid order of `person`'s, shipped to them or, as a gift, to `shipTo`. */
function paidOrderOf(
  person: Customer,
  number: number,
  overrides: Record<string, unknown> = {},
  shipTo: Customer = person,
) {
  const address = addressOf(person);
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
    shipping_address: addressOf(shipTo),
    billing_address: { ...address, address1: person.billing },
    ...overrides,
  });
}

const webhook = signedWebhook;

function describeHits(hits: TextHit[]): string[] {
  return hits.map((hit) => `${hit.table}.${hit.column} holds "${hit.needle}": …${hit.excerpt}…`);
}

/** Which of `values` some text column holds, each once, sorted. */
async function storedValues(values: string[]): Promise<string[]> {
  return [...new Set((await findInTextColumns(prisma, values)).map((hit) => hit.needle))].sort();
}

/** The shop installed, with Brilliant credentials and the untracked tee mapped. */
async function seedShop(shop: string) {
  await seedAdminShop(shop);
  await seedShopForForwarding(shop);
  await mapVariants(shop, [V.untracked]);
}

/** Each order delivered as a signed orders/paid webhook, and taken (200). */
async function receivePaid(shop: string, orders: Array<Record<string, unknown>>) {
  for (const body of orders) {
    expect((await answerOf(ordersPaid, webhook(shop, "orders/paid", body))).status).toBe(200);
  }
}

/** customers/redact naming `person` and `orders`, as Shopify sends it for the shop `shopId`. */
function redactCustomer(shop: string, shopId: number, person: Customer, orders: Array<{ id: number }>) {
  return answerOf(
    customersRedact,
    webhook(shop, "customers/redact", {
      shop_id: shopId,
      shop_domain: shop,
      customer: { id: person.id, email: person.email, phone: person.phone },
      orders_to_redact: orders.map((order) => order.id),
    }),
  );
}

function redactShop(shop: string, shopId: number) {
  return answerOf(shopRedact, webhook(shop, "shop/redact", { shop_id: shopId, shop_domain: shop }));
}

let sim: RunningSimulator;
const janeOrders = [paidOrderOf(JANE, 1), paidOrderOf(JANE, 2)];
const bobOrder = paidOrderOf(BOB, 3);
const carolOrder = paidOrderOf(CAROL, 4);

beforeAll(async () => {
  sim = await startSimulator();
  await resetDatabase(prisma);
  for (const shop of [SHOP_A, SHOP_B]) await seedShop(shop);
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
  faultOnCreate(sim, janeOrders[1]!.name, {
    kind: "code",
    code: 2501,
    message: `Invalid shipping address: ${JANE.address1}, ${JANE.city} ${JANE.zip} (${JANE.first} ${JANE.last})`,
  });
  // Bob's create is answered 1500 after Brilliant made the order: his order is found by a lookup
  // that walks Brilliant's list, Jane's order included.
  faultOnCreate(sim, bobOrder.name, { kind: "code1500", created: true });

  await receivePaid(SHOP_A, [...janeOrders, bobOrder]);
  await receivePaid(SHOP_B, [carolOrder]);
  await forwardAllQuickly(sim.url);

  // Brilliant's status call for Jane's order echoes her order back.
  const jane = await prisma.order.findFirstOrThrow({
    where: { shop: SHOP_A, shopifyOrderId: String(janeOrders[0]!.id) },
  });
  const echoed = sim.acceptedOrders().find((record) => String(record.order.id) === jane.brilliantOrderId);
  const statusCall = { ...echoed?.order, status: "processing", ship_status: "unshipped" };
  expect((await callBrilliantStatus(SHOP_A, statusCall)).status).toBe(200);

  // Each shop's products: one update applied by the worker, a newer one of shop A's still queued.
  const [tote, mug] = generateProducts(2, 3);
  for (const [shop, product] of [
    [SHOP_A, tote!],
    [SHOP_B, mug!],
  ] as const) {
    const update = webhook(shop, "products/update", restProductPayload(product));
    expect((await answerOf(productsUpdate, update)).status).toBe(200);
  }
  await applyQueuedProductUpdates();
  const renamed = { ...restProductPayload(tote!), title: "Renamed, not applied yet" };
  expect((await answerOf(productsUpdate, webhook(SHOP_A, "products/update", renamed))).status).toBe(200);
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
      expect(await storedValues(personalValues(person))).toEqual([...personalValues(person)].sort());
    }
    // Brilliant's status call stored Jane's address outside her order.
    const janeElsewhere = await findInTextColumns(prisma, [JANE.address1]);
    expect(janeElsewhere.some((hit) => hit.table === "BrilliantStatusEvent")).toBe(true);
  });

  it("WHEN customers/redact names Jane's orders THEN nothing of Jane is left anywhere, and Bob and Carol are untouched", async () => {
    const janeBefore = await findInTextColumns(prisma, personalValues(JANE));
    const response = await redactCustomer(SHOP_A, 1, JANE, janeOrders);
    expect(response.status).toBe(200);

    const janeLeft = await findInTextColumns(prisma, personalValues(JANE));
    console.log(
      `redaction: customers/redact tables=${(await appTables(prisma)).length} jane_hits_before=${janeBefore.length}` +
        ` jane_hits_after=${janeLeft.length}`,
    );
    expect(describeHits(janeLeft)).toEqual([]);
    for (const person of [BOB, CAROL]) {
      expect(await storedValues(personalValues(person)), `${person.first}'s data`).toEqual(
        [...personalValues(person)].sort(),
      );
    }
    // The sync history still adds up: orders, states and Brilliant ids stay.
    expect(await prisma.order.count({ where: { shop: SHOP_A } })).toBe(3);
  });

  it("WHEN shop/redact arrives for shop A THEN no row names shop A or holds its customers' or staff's data, and shop B is untouched", async () => {
    // Its product webhooks (applied and still queued) are among what names it.
    const queued = (await findInTextColumns(prisma, [SHOP_A])).filter(
      (hit) => hit.table === "ProductUpdateQueue",
    );
    expect(queued.length).toBeGreaterThan(0);
    const response = await redactShop(SHOP_A, 1);
    expect(response.status).toBe(200);

    const shopA = [SHOP_A, "Staffy", "McStaff", "staffy@redact-a.example.com", ...personalValues(BOB)];
    const shopALeft = await findInTextColumns(prisma, shopA);
    console.log(`redaction: shop/redact shop_a_hits_after=${shopALeft.length}`);
    expect(describeHits(shopALeft)).toEqual([]);
    expect(await storedValues(personalValues(CAROL))).toEqual([...personalValues(CAROL)].sort());
    expect((await findInTextColumns(prisma, [SHOP_B])).length).toBeGreaterThan(0);
    expect(await prisma.productUpdateQueue.count({ where: { shop: SHOP_B } })).toBe(1);
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP_B } })).toBe(3);
  });
});

// ---- the list of text columns, against the schema ---------------------------

const TEXT_TYPES = new Set(["String", "Json"]);
const SCRUBBED_RULES = new Set(["body", "text", "replace"]);

describe("every text column of every table is accounted for", () => {
  it("GIVEN the schema (Prisma's DMMF) THEN every String and Json column of every model is listed in app/orders/compliance/text-columns.ts, as redacted or as holding no personal data, and nothing else is", () => {
    const schema: Record<string, string[]> = {};
    for (const model of Prisma.dmmf.datamodel.models) {
      schema[model.name] = model.fields
        .filter((field) => field.kind === "scalar" && TEXT_TYPES.has(field.type))
        .map((field) => field.name)
        .sort();
    }
    const listed = Object.fromEntries(
      Object.entries(TEXT_COLUMNS).map(([model, rules]) => [model, Object.keys(rules.text).sort()]),
    );
    expect(listed).toEqual(schema);
    for (const [model, rules] of Object.entries(TEXT_COLUMNS)) {
      for (const [column, rule] of Object.entries(rules.text)) {
        if ("none" in rule) expect(rule.none.trim(), `${model}.${column} says why`).not.toBe("");
      }
    }
  });

  it("GIVEN the schema THEN shop/redact reaches every model with a shop column by a column it has, every other model through its relations, and every model whose text is scrubbed has the id and shop it is read by", () => {
    const withShop = new Set(
      Prisma.dmmf.datamodel.models
        .filter((model) => model.fields.some((field) => field.name === "shop"))
        .map((model) => model.name),
    );
    for (const model of Prisma.dmmf.datamodel.models) {
      const rules = TEXT_COLUMNS[model.name as Prisma.ModelName];
      const fields = new Set(
        model.fields.filter((field) => field.kind === "scalar").map((field) => field.name),
      );
      if (withShop.has(model.name)) {
        expect("key" in rules.shopRows, `${model.name} is deleted by its shop column`).toBe(true);
        if ("key" in rules.shopRows) expect(fields.has(rules.shopRows.key), model.name).toBe(true);
      } else if ("noShop" in rules.shopRows) {
        expect(
          model.fields.some((field) => field.kind === "object"),
          `${model.name} holds no shop's rows`,
        ).toBe(false);
      } else {
        const parents = model.fields.filter((field) => field.kind === "object").map((field) => field.type);
        expect(parents.length, `${model.name} has no shop column and no relation`).toBeGreaterThan(0);
        for (const parent of parents) expect(withShop.has(parent), `${model.name} → ${parent}`).toBe(true);
      }
      const scrubbed = Object.values(rules.text).some(
        (rule) => "redact" in rule && SCRUBBED_RULES.has(rule.redact),
      );
      if (scrubbed) expect([fields.has("id"), fields.has("shop")], model.name).toEqual([true, true]);
      if (rules.ownedBy && rules.ownedBy !== "alertOrders") {
        expect(fields.has(rules.ownedBy), `${model.name}.${rules.ownedBy}`).toBe(true);
      }
    }
  });
});

// ---- a customer whose orders ship to many recipients -------------------------

const SHOP_GIFTS = "redact-gifts.myshopify.com";
const GWEN = customer(4201, "Gwen");
const HANK = customer(4202, "Hank");
/** Enough recipients that one query naming all their values would pass Prisma's limit on bound parameters. */
const RECIPIENTS = Array.from({ length: 30 }, (_, index) =>
  customer(4300 + index, `Gift${String.fromCharCode(65 + Math.floor(index / 26), 65 + (index % 26))}`),
);

/** What a gift order holds of its recipient: the shipping address. */
function recipientValues(person: Customer): string[] {
  return valuesOf(person, ["phone", "first", "last", "fullName", "address1", "address2", "zip", "city"]);
}

const gwenOrders = RECIPIENTS.map((recipient, index) => paidOrderOf(GWEN, 200 + index, {}, recipient));
const hankOrder = paidOrderOf(HANK, 250);
const quotedRecipient = RECIPIENTS[7]!;

/** What the merchant sees of a shop's orders: name, state, reason, Brilliant's id. */
async function ordersAsListed(shop: string) {
  return prisma.order.findMany({
    where: { shop },
    select: { name: true, state: true, stateReason: true, brilliantOrderId: true },
    orderBy: { name: "asc" },
  });
}

describe("customers/redact for a customer whose orders ship to 30 recipients", () => {
  const redactGwen = () => redactCustomer(SHOP_GIFTS, 3, GWEN, gwenOrders);
  const gwenAndRecipients = () => [...personalValues(GWEN), ...RECIPIENTS.flatMap(recipientValues)];
  let listedBefore: Awaited<ReturnType<typeof ordersAsListed>> = [];

  beforeAll(async () => {
    await seedShop(SHOP_GIFTS);
    await receivePaid(SHOP_GIFTS, [...gwenOrders, hankOrder]);
    await forwardAllQuickly(sim.url);
    // Brilliant calls about an order it cannot place, quoting one recipient's address: the
    // call names no order of ours, so only the recipient's values can find it.
    const quoted = quotedRecipient;
    const status = await callBrilliantStatus(SHOP_GIFTS, {
      id: 987_654_321,
      status: "on_hold",
      message: `Address unverified for ${quoted.first} ${quoted.last}: ${quoted.address1}, ${quoted.address2}, ${quoted.phone}`,
    });
    expect(status.status).toBe(200);
    listedBefore = await ordersAsListed(SHOP_GIFTS);
  }, 60_000);

  it("GIVEN the setup THEN every order went to Brilliant and every recipient's data is stored, one of them in a status call of no order", async () => {
    expect(listedBefore.map((order) => order.state)).toEqual(listedBefore.map(() => "forwarded"));
    expect(listedBefore).toHaveLength(RECIPIENTS.length + 1);
    for (const recipient of RECIPIENTS) {
      expect(await storedValues(recipientValues(recipient)), recipient.first).toEqual(
        [...recipientValues(recipient)].sort(),
      );
    }
    const event = await prisma.brilliantStatusEvent.findFirstOrThrow({
      where: { shop: SHOP_GIFTS, orderId: null },
    });
    expect(event.body).toContain(quotedRecipient.address1);
  });

  it("WHEN customers/redact names Gwen's 30 orders THEN it answers 200, nothing of Gwen or any recipient is left anywhere (the status call included), Hank is untouched, and the orders list is as it was", async () => {
    const response = await redactGwen();
    expect(response.status, await response.clone().text()).toBe(200);
    expect(describeHits(await findInTextColumns(prisma, gwenAndRecipients()))).toEqual([]);
    expect(await storedValues(personalValues(HANK))).toEqual([...personalValues(HANK)].sort());
    expect(await ordersAsListed(SHOP_GIFTS)).toEqual(listedBefore);
  });

  it("WHEN Shopify delivers it again THEN 200 again, and still nothing of them anywhere and the list unchanged", async () => {
    const response = await redactGwen();
    expect(response.status).toBe(200);
    expect(describeHits(await findInTextColumns(prisma, gwenAndRecipients()))).toEqual([]);
    expect(await ordersAsListed(SHOP_GIFTS)).toEqual(listedBefore);
  });
});

// ---- redaction while the worker forwards the same orders --------------------

/** An order's state and reason, and the state and reason of its last transition (the last mover's). */
async function statesAndLastMoves(shop: string) {
  const orders = await prisma.order.findMany({
    where: { shop },
    select: {
      name: true,
      state: true,
      stateReason: true,
      transitions: {
        select: { toState: true, reason: true },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: 1,
      },
    },
    orderBy: { name: "asc" },
  });
  return orders.map((order) => ({
    name: order.name,
    now: { state: order.state, reason: order.stateReason },
    lastMove: { state: order.transitions[0]?.toState, reason: order.transitions[0]?.reason },
  }));
}

const SHOP_RACE = "redact-race.myshopify.com";
const IVY = customer(4401, "Ivy");
const ivyOrders = Array.from({ length: 40 }, (_, index) => paidOrderOf(IVY, 300 + index));

/** Polls `condition` until it holds; fails with `describe()` after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, describe: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("customers/redact while a worker process forwards the same orders", () => {
  beforeAll(async () => {
    await seedShop(SHOP_RACE);
    await receivePaid(SHOP_RACE, ivyOrders);
  });

  it("GIVEN Ivy's 40 orders being forwarded by the worker (its own process, as in production) WHEN customers/redact arrives meanwhile, and again until it answers 200, THEN every order ends in the state and with the reason its last move gave it, and nothing of Ivy is left", async () => {
    const redactIvy = () => redactCustomer(SHOP_RACE, 4, IVY, ivyOrders);
    const workerMoves = (where: Prisma.OrderTransitionWhereInput = {}) =>
      prisma.orderTransition.count({ where: { shop: SHOP_RACE, actor: "worker", ...where } });
    // Brilliant answers each send after a moment, so the worker's run spans the redaction.
    sim.configure({ latencyMs: 150 });
    const worker = startWorkerProcess("redaction-race-worker", { brilliantUrl: sim.url, leaseMs: 30_000 });
    const answers: number[] = [];
    const race = { sendingWhenDelivered: 0, movedAfterwards: 0 };
    try {
      const sending = () => prisma.order.count({ where: { shop: SHOP_RACE, state: "sending" } });
      await until(
        async () => (race.sendingWhenDelivered = await sending()) > 0,
        () => worker.output(),
      );
      answers.push((await redactIvy()).status);
      const answeredAt = new Date();
      const open = () =>
        prisma.order.count({ where: { shop: SHOP_RACE, state: { notIn: [...SETTLED_STATES] } } });
      await until(
        async () => (await open()) === 0,
        () => worker.output(),
      );
      race.movedAfterwards = await workerMoves({ at: { gt: answeredAt } });
    } finally {
      sim.configure({ latencyMs: 0 });
      await stopProcess(worker, "SIGTERM");
    }
    console.log(
      `redaction race (worker process): sending_when_delivered=${race.sendingWhenDelivered}` +
        ` worker_moves_afterwards=${race.movedAfterwards} first_answer=${answers[0]}`,
    );
    // The redaction came in the middle of the worker's run: orders were being sent, and moved on after.
    expect(race.sendingWhenDelivered, "orders were being sent").toBeGreaterThan(0);
    expect(race.movedAfterwards, "the worker moved orders after the redaction").toBeGreaterThan(0);

    // Shopify delivers again after anything but 200.
    for (let more = 0; answers.at(-1) !== 200 && more < 3; more++) answers.push((await redactIvy()).status);
    expect(answers.at(-1), `answers: ${answers.join(", ")}`).toBe(200);
    expect(
      answers.every((status) => status === 200 || status === 503),
      answers.join(", "),
    ).toBe(true);

    const orders = await statesAndLastMoves(SHOP_RACE);
    expect(orders).toHaveLength(ivyOrders.length);
    for (const order of orders) {
      expect(order.now, order.name).toEqual(order.lastMove);
      expect(SETTLED_STATES.has(order.now.state), `${order.name} is ${order.now.state}`).toBe(true);
    }
    expect(describeHits(await findInTextColumns(prisma, personalValues(IVY)))).toEqual([]);
  }, 90_000);
});

// ---- the worker's writes between the redaction's reads and its writes ------------

const SHOP_BETWEEN = "redact-between.myshopify.com";
const JILL = customer(4451, "Jill");
const jillOrders = Array.from({ length: 5 }, (_, index) => paidOrderOf(JILL, 450 + index));

describe("customers/redact when the worker moves the orders between its reads and its writes", () => {
  beforeAll(async () => {
    await seedShop(SHOP_BETWEEN);
    await receivePaid(SHOP_BETWEEN, jillOrders);
    // In Order, as any page would leave them: the redaction's first write is one of its own.
    await flushReceivedOrders(SHOP_BETWEEN);
  });

  it("GIVEN Jill's orders just received WHEN the worker forwards them all after customers/redact has read them and before its first write THEN every order ends forwarded with the worker's reason, never the one the redaction read, and nothing of Jill is left", async () => {
    const forwarder = makeForwarder(sim.url, { workerId: "between-worker", retryBaseMs: 1, retryMaxMs: 5 });
    // The redaction's first write transaction, whichever way it writes, waits for the worker's
    // whole run: what another process does between a read and a write, made certain.
    let workerRuns = 0;
    let inWorker = false;
    const workerFirst = <T extends (...args: never[]) => unknown>(original: T): T =>
      (async (...args: unknown[]) => {
        if (workerRuns === 0 && !inWorker) {
          inWorker = true;
          try {
            workerRuns += 1;
            await forwardUntilSettled([forwarder], { timeoutMs: 30_000 });
          } finally {
            inWorker = false;
          }
        }
        return (original as unknown as (...args: unknown[]) => unknown)(...args);
      }) as unknown as T;
    // Both ways the app opens a write transaction: Prisma's and direct SQL's.
    const sql = sqlFor();
    const originals = { prisma: prisma.$transaction, sql: sql.transaction };
    prisma.$transaction = workerFirst(originals.prisma.bind(prisma));
    sql.transaction = workerFirst(originals.sql.bind(sql));
    const redactJill = () => redactCustomer(SHOP_BETWEEN, 7, JILL, jillOrders);
    const answers: number[] = [];
    try {
      answers.push((await redactJill()).status);
    } finally {
      prisma.$transaction = originals.prisma;
      sql.transaction = originals.sql;
    }
    expect(workerRuns, "the worker ran inside the redaction").toBe(1);
    for (let more = 0; answers.at(-1) !== 200 && more < 3; more++) answers.push((await redactJill()).status);
    expect(answers.at(-1), `answers: ${answers.join(", ")}`).toBe(200);

    const orders = await statesAndLastMoves(SHOP_BETWEEN);
    expect(orders).toHaveLength(jillOrders.length);
    for (const order of orders) {
      expect(order.now.state, order.name).toBe("forwarded");
      expect(order.now, order.name).toEqual(order.lastMove);
    }
    expect(describeHits(await findInTextColumns(prisma, personalValues(JILL)))).toEqual([]);
  });
});

// ---- redaction while Brilliant has not answered a send yet -------------------

/**
 * Brilliant behind a door the test opens: requests are held, unanswered,
 * until `open()`, then passed to the simulator and its answers passed back.
 */
async function heldBrilliant(target: string) {
  const base = new URL(target);
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  let held = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      held += 1;
      for (const waiter of waiting.filter((one) => held >= one.count)) waiter.resolve();
      await open;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["host", "content-length", "connection"].includes(name))
          headers.set(name, value);
      }
      const answer = await fetch(new URL(req.url ?? "/", base.origin), {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
      });
      res.writeHead(answer.status, {
        "content-type": answer.headers.get("content-type") ?? "application/json",
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base.pathname}`,
    /** Resolves once `count` requests are waiting. */
    holding: (count: number) =>
      held >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })),
    open: () => opened(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SHOP_INFLIGHT = "redact-inflight.myshopify.com";
const GALE = customer(4501, "Gale");
const galeOrders = [paidOrderOf(GALE, 600), paidOrderOf(GALE, 601), paidOrderOf(GALE, 602)];

describe("customers/redact while Brilliant has not answered the sends yet", () => {
  beforeAll(async () => {
    await seedShop(SHOP_INFLIGHT);
    // The worker below takes every due order: none of another test's may be left.
    await forwardAllQuickly(sim.url, 20_000);
    await receivePaid(SHOP_INFLIGHT, galeOrders);
  });

  it("GIVEN Gale's orders sent and unanswered WHEN customers/redact arrives THEN 503 and the sends untouched; once Brilliant answered, the next delivery answers 200, the orders are forwarded with the worker's reason and nothing of Gale is left", async () => {
    const brilliant = await heldBrilliant(sim.url);
    try {
      const forwarder = makeForwarder(brilliant.url, {
        workerId: "inflight-worker",
        brilliantTimeoutMs: 30_000,
      });
      await forwarder.takeReceivedOrders();
      const claimed = await forwarder.claimDue(10);
      expect(claimed).toHaveLength(galeOrders.length);
      const sending = Promise.all(claimed.map((order) => forwarder.process(order)));
      await brilliant.holding(galeOrders.length);
      const redactGale = () => redactCustomer(SHOP_INFLIGHT, 5, GALE, galeOrders);

      const first = await redactGale();
      expect(first.status).toBe(503);
      for (const order of await statesAndLastMoves(SHOP_INFLIGHT)) {
        expect(order.now, order.name).toEqual({ state: "sending", reason: "Sending to Brilliant." });
      }

      brilliant.open();
      await sending;
      const second = await redactGale();
      expect(second.status).toBe(200);
      for (const order of await statesAndLastMoves(SHOP_INFLIGHT)) {
        expect(order.now.state, order.name).toBe("forwarded");
        expect(order.now, order.name).toEqual(order.lastMove);
      }
      expect(describeHits(await findInTextColumns(prisma, personalValues(GALE)))).toEqual([]);
    } finally {
      brilliant.open();
      await brilliant.close();
    }
  });
});

// ---- what is left on disk -----------------------------------------------------

const SHOP_DISK = "redact-disk.myshopify.com";
const WENDY = customer(4601, "Wendy");
const XAVI = customer(4602, "Xavi");
const wendyOrders = [paidOrderOf(WENDY, 700), paidOrderOf(WENDY, 701)];
const xaviOrder = paidOrderOf(XAVI, 702);

/** What the brief calls a customer's data on disk: email, names, address lines and phone. */
function onDiskValues(person: Customer): string[] {
  return valuesOf(person, ["email", "first", "last", "fullName", "address1", "address2", "billing", "phone"]);
}

/** Which of `values` the database file or its write-ahead log holds, byte for byte (any case). */
function foundOnDisk(values: string[]): string[] {
  const { adapter } = adapterOf(prisma);
  if (!(adapter instanceof SqliteAdapterFactory)) throw new Error("expected SQLite");
  const bytes = [adapter.file, `${adapter.file}-wal`]
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString("latin1").toLowerCase())
    .join("\n");
  return values.filter((value) => bytes.includes(value.toLowerCase()));
}

describe.skipIf(databaseKind() === "postgresql")("redacted data on disk (SQLite)", () => {
  beforeAll(async () => {
    await seedShop(SHOP_DISK);
    // Brilliant refuses one of Wendy's addresses quoting it: her data lands in free text too.
    faultOnCreate(sim, wendyOrders[1]!.name, {
      kind: "code",
      code: 2501,
      message: `Invalid shipping address: ${WENDY.address1}, ${WENDY.address2} (${WENDY.first} ${WENDY.last})`,
    });
    await receivePaid(SHOP_DISK, [...wendyOrders, xaviOrder]);
    await forwardAllQuickly(sim.url);
  });

  it("GIVEN the setup THEN Wendy's and Xavi's data is on disk (so the byte scan sees it)", () => {
    expect(foundOnDisk(onDiskValues(WENDY)).sort()).toEqual(onDiskValues(WENDY).sort());
    expect(foundOnDisk(onDiskValues(XAVI)).sort()).toEqual(onDiskValues(XAVI).sort());
  });

  it("WHEN customers/redact names Wendy's orders THEN neither the database file nor its -wal holds her email, names, address lines or phone", async () => {
    const response = await redactCustomer(SHOP_DISK, 6, WENDY, wendyOrders);
    expect(response.status).toBe(200);
    expect(foundOnDisk(onDiskValues(WENDY))).toEqual([]);
    expect(foundOnDisk(onDiskValues(XAVI)).sort()).toEqual(onDiskValues(XAVI).sort());
  });

  it("WHEN shop/redact arrives for the shop THEN neither file holds its other customer's data or its domain", async () => {
    const response = await redactShop(SHOP_DISK, 6);
    expect(response.status).toBe(200);
    expect(foundOnDisk([...onDiskValues(XAVI), SHOP_DISK])).toEqual([]);
  });
});

// ---- retention: settled orders older than RETENTION_DAYS ------------------------

const SHOP_RETAIN = "redact-retention.myshopify.com";
/** Olga's order is old and forwarded, Yuri's young and forwarded, Ines's old and still held. */
const OLGA = customer(4801, "Olga");
const YURI = customer(4802, "Yuri");
const INES = customer(4803, "Ines");
const olgaOrder = paidOrderOf(OLGA, 800);
const yuriOrder = paidOrderOf(YURI, 801);
const inesOrder = paidOrderOf(INES, 802);
const RETENTION_DAYS = 90;
const LONG_AGO = new Date(Date.now() - (RETENTION_DAYS + 10) * 24 * 60 * 60_000);

const orderOf = (order: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP_RETAIN, shopifyOrderId: String(order.id) } },
  });

describe("retention: settled orders older than RETENTION_DAYS lose their customer's personal data", () => {
  beforeAll(async () => {
    await seedShop(SHOP_RETAIN);
    faultOnCreate(sim, inesOrder.name, {
      kind: "code",
      code: 2501,
      message: `Invalid shipping address: ${INES.address1}, ${INES.city} (${INES.first} ${INES.last})`,
    });
    await receivePaid(SHOP_RETAIN, [olgaOrder, yuriOrder, inesOrder]);
    await forwardAllQuickly(sim.url);
    // Brilliant's status call echoing Olga's order, and one for no order of ours quoting her address.
    const olga = await orderOf(olgaOrder);
    const echoed = sim.acceptedOrders().find((record) => String(record.order.id) === olga.brilliantOrderId);
    expect((await callBrilliantStatus(SHOP_RETAIN, { ...echoed?.order, status: "processing" })).status).toBe(
      200,
    );
    const unmatched = {
      id: 987_654_800,
      status: "on_hold",
      message: `Address unverified for ${OLGA.first} ${OLGA.last}: ${OLGA.address1}, ${OLGA.phone}`,
    };
    expect((await callBrilliantStatus(SHOP_RETAIN, unmatched)).status).toBe(200);
    // Olga's and Ines's orders, and the unmatched call, were recorded long ago.
    const old = [olga.id, (await orderOf(inesOrder)).id];
    await prisma.order.updateMany({ where: { id: { in: old } }, data: { createdAt: LONG_AGO } });
    await prisma.brilliantStatusEvent.updateMany({
      where: { shop: SHOP_RETAIN, orderId: null },
      data: { receivedAt: LONG_AGO },
    });
  }, 60_000);

  it("GIVEN the setup THEN all three customers' data is stored, Olga's in her status calls too, and Ines's order is held", async () => {
    expect((await orderOf(olgaOrder)).state).toBe("forwarded");
    expect((await orderOf(yuriOrder)).state).toBe("forwarded");
    expect((await orderOf(inesOrder)).state).toBe("held");
    for (const person of [OLGA, YURI, INES]) {
      expect(await storedValues(personalValues(person)), person.first).toEqual(
        [...personalValues(person)].sort(),
      );
    }
    const olgaTables = new Set((await findInTextColumns(prisma, [OLGA.address1])).map((hit) => hit.table));
    expect([...olgaTables].sort()).toEqual(["BrilliantStatusEvent", "ForwardAttempt", "Order"]);
  });

  it("WHEN the worker's retention chore runs THEN nothing of Olga is left in any table, her order keeps its name, state, Brilliant id, lines and quantities and is marked, and Yuri (young) and Ines (held) keep all of theirs", async () => {
    const olgaBefore = await orderOf(olgaOrder);
    const removed = await retentionChore(RETENTION_DAYS, new AbortController().signal)();
    expect(removed).toBe(1);

    expect(describeHits(await findInTextColumns(prisma, personalValues(OLGA)))).toEqual([]);
    for (const person of [YURI, INES]) {
      expect(await storedValues(personalValues(person)), person.first).toEqual(
        [...personalValues(person)].sort(),
      );
    }
    const olga = await orderOf(olgaOrder);
    expect(olga).toMatchObject({
      name: olgaOrder.name,
      state: "forwarded",
      brilliantOrderId: olgaBefore.brilliantOrderId,
      stateReason: olgaBefore.stateReason,
    });
    expect(olga.personalDataRemovedAt).toBeInstanceOf(Date);
    expect((await orderOf(yuriOrder)).personalDataRemovedAt).toBeNull();
    expect((await orderOf(inesOrder)).personalDataRemovedAt).toBeNull();
    const payload = JSON.parse(olga.payload) as { id: number; line_items: Array<Record<string, unknown>> };
    expect(payload.id).toBe(olgaOrder.id);
    expect(payload.line_items.map(({ variant_id, quantity }) => ({ variant_id, quantity }))).toEqual(
      olgaOrder.line_items.map(({ variant_id, quantity }) => ({ variant_id, quantity })),
    );
    const [create] = await prisma.forwardAttempt.findMany({ where: { orderId: olga.id, kind: "create" } });
    const sent = JSON.parse(create!.requestBody!) as {
      order_items: Array<{ variant_id: number; quantity: number }>;
    };
    expect(sent.order_items.map((item) => [item.variant_id, item.quantity])).toEqual([[V.untracked, 1]]);
    expect(create).toMatchObject({ code: 1200, outcome: "accepted" });
    // Nothing waits in the inbox: every order was moved into Order, where retention reads it.
    expect(await prisma.orderInbox.count({ where: { shop: SHOP_RETAIN } })).toBe(0);
  });

  it("WHEN the merchant opens Olga's order THEN the page loads, with its name, state and lines, and no address", async () => {
    const olga = await orderOf(olgaOrder);
    const response = await callRoute(
      orderPage,
      await adminRequest(`/app/orders/${olga.id}`, { shop: SHOP_RETAIN }),
      { id: olga.id },
    );
    expect(response.status).toBe(200);
    const { order } = (await response.json()) as {
      order: { name: string; state: string; lineItems: unknown[]; shippingAddress: unknown };
    };
    expect(order).toMatchObject({ name: olgaOrder.name, state: "forwarded", shippingAddress: null });
    expect(order.lineItems).toHaveLength(olgaOrder.line_items.length);
  });

  it("WHEN retention runs again THEN it finds nothing more to do, and a retention of 0 days keeps everything", async () => {
    const before = await prisma.order.findMany({ where: { shop: SHOP_RETAIN }, orderBy: { name: "asc" } });
    expect(await removeExpiredPersonalData({ retentionDays: RETENTION_DAYS })).toMatchObject({
      removed: 0,
      statusCalls: 0,
    });
    await prisma.order.updateMany({ where: { shop: SHOP_RETAIN }, data: { createdAt: LONG_AGO } });
    expect(await removeExpiredPersonalData({ retentionDays: 0 })).toMatchObject({ removed: 0 });
    expect(await storedValues(personalValues(YURI))).toEqual([...personalValues(YURI)].sort());
    expect(
      (await prisma.order.findMany({ where: { shop: SHOP_RETAIN }, orderBy: { name: "asc" } })).map(
        (o) => o.payload,
      ),
    ).toEqual(before.map((o) => o.payload));
  });
});
