/**
 * Bad input, property-based (fast-check): whatever arrives at the app's
 * unauthenticated doors, it never answers 5xx and never half-writes.
 *
 * The doors are every webhook route (found in app/routes, so a new topic is
 * fuzzed without anyone adding it here), Brilliant's status endpoint
 * (brilliant.status.$token) and the order page block's API
 * (api.orders.$shopifyOrderId.sync). Requests go through the routes' real
 * handling: real Requests (every other webhook as the production server's
 * webhook lane makes it, from the body's bytes), real HMAC verification, the
 * real database.
 *
 * - Webhooks with a missing, empty, garbled, truncated, hex-instead-of-base64,
 *   wrong-secret or other-body HMAC, whatever the body and other headers:
 *   always 401, nothing written.
 * - Webhooks with a valid HMAC over malformed input (empty body, non-JSON,
 *   truncated JSON, JSON of the wrong shape, wrong types in an order's fields,
 *   huge values, unicode, deep nesting), missing Shopify headers, another
 *   topic than the endpoint's, or a shop header that is no shop domain:
 *   400 (or 200 where the route accepts any JSON by design), never 5xx, and
 *   a 4xx writes nothing.
 * - Product webhooks with a valid HMAC over a real product (up to Shopify's
 *   2,048 variants) with one field of it or of a variant made wrong: 400 and
 *   nothing queued, or 200 and the worker applies it (the web process checks
 *   variants by hand, the worker parses them with the schema: they agree).
 * - Brilliant status calls with unknown tokens (404, nothing written) and any
 *   body on a known token: stored as received, one event row and nothing
 *   else (this endpoint stores unknown bodies by design, even non-JSON).
 * - The API with garbled, missing, forged or other-shop session tokens and
 *   fuzzed order ids: never 5xx; unauthenticated never 2xx; nothing written
 *   by what it refuses.
 * - GET, HEAD and OPTIONS on every webhook route: 405, Allow: POST. Status
 *   calls whose body never ends: 404 for an unknown token (the body is never
 *   read), 413 past 64 KB for a known one. A session token signed with the
 *   app's secret whose `dest` is no shop domain: 401 from every admin route.
 *   (The same over the running server, with the size limits and timeouts it
 *   adds: tests/server/body-limits.test.ts.)
 *
 * The seed is fixed (FUZZ_SEED overrides it) so a failure can be replayed;
 * fast-check prints the counterexample.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { BRILLIANT_STATUS_BODY_LIMIT_BYTES } from "../../app/body-limits";
import { repoRoot } from "../../scripts/db/paths";
import { orderInState } from "../helpers/admin-orders";
import { sessionToken, seedAdminShop } from "../helpers/admin-session";
import { tableRowCounts } from "../helpers/catalog";
import { resetDatabase } from "../helpers/db";
import { testOrder } from "../helpers/forwarding";
import {
  applyQueuedProductUpdates,
  countQueuedProductUpdates,
} from "../../app/catalog/product-update-queue.server";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { mintSessionToken } from "../../shopify-stand-in/session-token";
import { withRawBody } from "../../app/integrations/webhook-raw-body";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { TEST_API_SECRET, TEST_APP_URL } from "../setup/app-env";
import { answerOf, importRoute, routeIds, routePath, type RouteFunction } from "./routes";

const SHOP = "fuzz-a.myshopify.com";
const OTHER_SHOP = "fuzz-b.myshopify.com";
// Webhooks come from their own shop: app/uninstalled and shop/redact take any
// JSON and remove the shop's session, which the API's requests need.
const WEBHOOK_SHOP = "fuzz-hooks.myshopify.com";
const SEED = Number(process.env.FUZZ_SEED ?? 6_2026);
const RUNS = { badHmac: 120, malformed: 160, status: 60, api: 60 };

interface WebhookDoor {
  id: string;
  topic: string;
  url: string;
  action: RouteFunction;
}

/** Webhook routes that take any JSON body by design (they read nothing, or only optional fields). */
const ACCEPT_ANY_JSON = new Set([
  "app/uninstalled",
  "shop/redact",
  "customers/redact",
  "customers/data_request",
]);

let doors: WebhookDoor[] = [];
let statusAction: RouteFunction;
let statusLoader: RouteFunction;
let apiLoader: RouteFunction;
let apiAction: RouteFunction;
let statusToken = "";
let heldShopifyOrderId = "";

/** What the suite sent and what came back, printed at the end. */
const tally = { sent: 0, accepted: 0, rejected: 0, server_errors: 0, half_written: 0 };

function count(status: number, changed: boolean) {
  tally.sent += 1;
  if (status >= 500) tally.server_errors += 1;
  else if (status >= 200 && status < 300) tally.accepted += 1;
  else tally.rejected += 1;
  if (status >= 300 && changed) tally.half_written += 1;
}

function diff(before: Record<string, number>, after: Record<string, number>): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) changes[table] = `${before[table]} → ${after[table]}`;
  }
  return changes;
}

// ---- generators ------------------------------------------------------------

const validOrder = fc
  .integer({ min: 1, max: 9_999 })
  .map((n) => testOrder(70_000 + n, [{ variant: 73002, quantity: 1 }]) as Record<string, unknown>);

/** Values of the wrong type, or the right type at absurd sizes. */
const weirdValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, 1e308, 0, 1.5),
  // Ids written as Shopify never writes them: leading zeros (the same id), 0, negative, 400 digits.
  fc.constantFrom("08400704573", "0", "-1", "000", "9".repeat(400), "+12", "1e5"),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constant("🙂".repeat(5_000)),
  fc.constant("x".repeat(200_000)),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

/** A real order with one field (top level, line item or address) set to something it should not be. */
const mutatedOrder = fc
  .tuple(
    validOrder,
    fc.constantFrom(
      "id",
      "name",
      "line_items",
      "shipping_address",
      "line_items.0.quantity",
      "line_items.0.variant_id",
      "line_items.0.product_id",
      "line_items.0.id",
      "shipping_address.country_code",
      "shipping_address.zip",
      "created_at",
      "test",
    ),
    weirdValue,
  )
  .map(([order, path, value]) => {
    const copy = structuredClone(order);
    const keys = path.split(".");
    let target: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[keys.at(-1)!] = value;
    return JSON.stringify(copy);
  });

/** Raw bodies a valid HMAC can be computed over. */
const malformedBody = fc.oneof(
  fc.constant(""),
  fc.constantFrom("null", "[]", "{}", '"order"', "123", "true", "{", "}", "[[", "\u0000"),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.json({ maxDepth: 3 }),
  fc.tuple(validOrder, fc.double({ min: 0, max: 1, noNaN: true })).map(([order, share]) => {
    const text = JSON.stringify(order);
    return text.slice(0, Math.floor(text.length * share));
  }),
  mutatedOrder,
  fc.constant(`${"[".repeat(3_000)}${"]".repeat(3_000)}`),
  fc.constant(JSON.stringify({ id: "1".repeat(5_000), name: "#1", line_items: [] })),
  // An id of 400 digits as a JSON number (JSON.stringify cannot write it).
  validOrder.map((order) => JSON.stringify({ ...order, id: "@ID@" }).replace('"@ID@"', "9".repeat(400))),
);

/** Header values as they arrive off the wire: Latin-1 text without control characters. */
const headerText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0xa0, max: 0xff }).map((code) => String.fromCharCode(code)),
  ),
  maxLength: 80,
});

type HeaderTwist =
  "none" | "no-topic" | "no-shop" | "no-version" | "no-webhook-id" | "wrong-topic" | "bad-shop";
const headerTwist = fc.constantFrom<HeaderTwist>(
  "none",
  "no-topic",
  "no-shop",
  "no-version",
  "no-webhook-id",
  "wrong-topic",
  "bad-shop",
);

type HmacTwist =
  | { kind: "missing" | "empty" | "wrong-secret" | "other-body" | "truncated" | "flipped" | "hex" }
  | { kind: "garbled"; value: string };
const hmacTwist: fc.Arbitrary<HmacTwist> = fc.oneof(
  fc.constantFrom<HmacTwist>(
    { kind: "missing" },
    { kind: "empty" },
    { kind: "wrong-secret" },
    { kind: "other-body" },
    { kind: "truncated" },
    { kind: "flipped" },
    { kind: "hex" },
  ),
  headerText.map((value): HmacTwist => ({ kind: "garbled", value })),
);

let webhooksMade = 0;

function webhookRequest(
  door: WebhookDoor,
  rawBody: string,
  options: { headers: HeaderTwist; hmac?: HmacTwist; wrongTopic?: string; badShop?: string },
): Request {
  const { headers } = signedWebhookHeaders({
    topic: door.topic,
    shop: WEBHOOK_SHOP,
    body: null,
    rawBody,
    secret: TEST_API_SECRET,
  });
  const twist = options.hmac;
  const good = headers["x-shopify-hmac-sha256"]!;
  if (twist) {
    const replaced: Record<Exclude<HmacTwist["kind"], "missing">, () => string> = {
      empty: () => "",
      "wrong-secret": () => createHmac("sha256", "not-the-secret").update(rawBody, "utf8").digest("base64"),
      "other-body": () =>
        createHmac("sha256", TEST_API_SECRET).update(`${rawBody} `, "utf8").digest("base64"),
      truncated: () => good.slice(0, -2),
      flipped: () => (good[0] === "A" ? "B" : "A") + good.slice(1),
      hex: () => createHmac("sha256", TEST_API_SECRET).update(rawBody, "utf8").digest("hex"),
      garbled: () => (twist.kind === "garbled" ? twist.value : ""),
    };
    if (twist.kind === "missing") delete headers["x-shopify-hmac-sha256"];
    else headers["x-shopify-hmac-sha256"] = replaced[twist.kind]();
  }
  if (options.headers === "no-topic") delete headers["x-shopify-topic"];
  if (options.headers === "no-shop") delete headers["x-shopify-shop-domain"];
  if (options.headers === "no-version") delete headers["x-shopify-api-version"];
  if (options.headers === "no-webhook-id") delete headers["x-shopify-webhook-id"];
  if (options.headers === "wrong-topic") headers["x-shopify-topic"] = options.wrongTopic ?? "orders/create";
  if (options.headers === "bad-shop") headers["x-shopify-shop-domain"] = options.badShop ?? "not a shop";
  webhooksMade += 1;
  // As Remix hands it to the route, or as server.ts's webhook lane does.
  return webhooksMade % 2 === 0
    ? new Request(door.url, { method: "POST", headers, body: rawBody })
    : withRawBody(
        new Request(door.url, { method: "POST", headers: new Headers(headers), body: Buffer.from(rawBody) }),
        rawBody,
      );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ---- setup -----------------------------------------------------------------

beforeAll(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER_SHOP);
  await seedAdminShop(WEBHOOK_SHOP);
  await orderInState(WEBHOOK_SHOP, "forwarded");
  const held = await orderInState(SHOP, "held", { holdKind: "mapping" });
  await orderInState(SHOP, "forwarded");
  heldShopifyOrderId = (await prisma.order.findUniqueOrThrow({ where: { id: held } })).shopifyOrderId;
  statusToken = (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).statusWebhookToken;

  const webhookIds = routeIds().filter((id) => id.startsWith("webhooks."));
  doors = await Promise.all(
    webhookIds.map(async (id) => {
      const module = await importRoute(id);
      if (!module.action) throw new Error(`${id} has no action`);
      const path = routePath(id);
      return {
        id,
        topic: path.replace(/^\/webhooks\//, ""),
        url: `${TEST_APP_URL}${path}`,
        action: module.action,
      };
    }),
  );
  const status = await importRoute("brilliant.status.$token");
  const api = await importRoute("api.orders.$shopifyOrderId.sync");
  statusAction = status.action!;
  statusLoader = status.loader!;
  apiLoader = api.loader!;
  apiAction = api.action!;
});

afterAll(() => {
  console.log(
    `bad-input: sent=${tally.sent} accepted=${tally.accepted} rejected=${tally.rejected}` +
      ` server_errors=${tally.server_errors} half_written=${tally.half_written} seed=${SEED}`,
  );
});

// ---- properties --------------------------------------------------------------

describe("bad input at every unauthenticated door", () => {
  it("finds every webhook subscription of shopify.app.toml among the routes it fuzzes", () => {
    const toml = readFileSync(join(repoRoot, "shopify.app.toml"), "utf8");
    const subscribed = [...toml.matchAll(/^\s*uri\s*=\s*"\/webhooks\/([^"]+)"/gm)].map((match) => match[1]);
    expect(subscribed.length).toBeGreaterThan(0);
    expect(doors.map((door) => door.topic).sort()).toEqual([...new Set(subscribed)].sort());
  });

  it("GIVEN any webhook with a bad, missing or garbled HMAC THEN 401 and nothing written", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        fc.oneof(
          malformedBody,
          validOrder.map((order) => JSON.stringify(order)),
        ),
        hmacTwist,
        headerTwist,
        async (doorIndex, rawBody, hmac, headers) => {
          const door = doors[doorIndex % doors.length]!;
          const before = await tableRowCounts(prisma);
          const response = await answerOf(door.action, webhookRequest(door, rawBody, { headers, hmac }));
          const changes = diff(before, await tableRowCounts(prisma));
          count(response.status, Object.keys(changes).length > 0);
          expect({ door: door.id, status: response.status, changes }).toEqual({
            door: door.id,
            status: 401,
            changes: {},
          });
        },
      ),
      { numRuns: RUNS.badHmac, seed: SEED },
    );
  });

  it("GIVEN a valid HMAC over malformed bodies or headers THEN 400 (or 200 where any JSON is accepted), never 5xx, and a refusal writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000 }),
        malformedBody,
        headerTwist,
        fc.constantFrom("orders/create", "ORDERS/PAID ", "products/update", "", "shop/redact"),
        headerText,
        async (doorIndex, rawBody, headers, wrongTopic, badShop) => {
          const door = doors[doorIndex % doors.length]!;
          const before = await tableRowCounts(prisma);
          const response = await answerOf(
            door.action,
            webhookRequest(door, rawBody, { headers, wrongTopic, badShop }),
          );
          const changes = diff(before, await tableRowCounts(prisma));
          count(response.status, Object.keys(changes).length > 0);
          const body = response.status >= 500 ? await response.text() : "";
          expect(response.status, `${door.id} answered ${response.status} ${body}`).toBeLessThan(500);
          const malformedHeaders = headers !== "none";
          if (malformedHeaders || !isJson(rawBody)) {
            // wrong-topic with the endpoint's own topic (another case) is not wrong.
            const sameTopic = headers === "wrong-topic" && wrongTopic.trim().toLowerCase() === door.topic;
            if (!sameTopic)
              expect({ door: door.id, headers, status: response.status }).toMatchObject({ status: 400 });
          }
          if (!ACCEPT_ANY_JSON.has(door.topic) && response.status === 200) {
            // Only a body that really is an order or product gets in.
            expect(isJson(rawBody), `${door.id} accepted ${rawBody.slice(0, 80)}`).toBe(true);
          }
          expect([200, 400]).toContain(response.status);
          if (response.status !== 200)
            expect({ door: door.id, changes }).toEqual({ door: door.id, changes: {} });
        },
      ),
      { numRuns: RUNS.malformed, seed: SEED },
    );
  });

  it("GIVEN Brilliant status calls with unknown tokens or any body THEN never 5xx: unknown tokens write nothing, known ones store one event per distinct body (a replay none)", async () => {
    // Bodies already posted to the known token: the same body again is a replay.
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant<"known">("known"),
          headerText.filter((text) => text !== statusToken),
        ),
        fc.oneof(
          malformedBody,
          fc
            .record({
              status: weirdValue,
              ship_status: fc.oneof(weirdValue, fc.constantFrom("shipped", "Shipped", "")),
              id: weirdValue,
              custom_data: fc.oneof(
                weirdValue,
                fc.record({
                  shopify_shop: fc.constantFrom(SHOP, OTHER_SHOP, ""),
                  shopify_order_id: fc.oneof(
                    weirdValue,
                    fc.constant(heldShopifyOrderId),
                    fc.constant(`00${heldShopifyOrderId}`),
                  ),
                }),
              ),
            })
            .map((body) => JSON.stringify(body)),
        ),
        fc.constantFrom("POST", "PUT", "GET"),
        async (token, rawBody, method) => {
          const known = token === "known";
          const url = `${TEST_APP_URL}/brilliant/status/${encodeURIComponent(known ? statusToken : token)}`;
          const request = new Request(url, {
            method,
            headers: { "content-type": "application/json" },
            body: method === "GET" ? undefined : rawBody,
          });
          const route = method === "GET" ? statusLoader : statusAction;
          const before = await tableRowCounts(prisma);
          const response = await answerOf(route, request, { token: known ? statusToken : token });
          const after = await tableRowCounts(prisma);
          const changes = diff(before, after);
          count(response.status, response.status !== 400 && Object.keys(changes).length > 0);
          expect(response.status).toBeLessThan(500);
          if (!known || method !== "POST") {
            expect({ status: response.status, changes }).toEqual({
              status: method === "POST" ? 404 : 405,
              changes: {},
            });
            return;
          }
          if (Buffer.byteLength(rawBody, "utf8") > BRILLIANT_STATUS_BODY_LIMIT_BYTES) {
            expect({ status: response.status, changes }).toEqual({ status: 413, changes: {} });
            return;
          }
          // Stored as received: one event, whatever the body (400 tells Brilliant it was not JSON);
          // the same body again is answered alike and stored no second time.
          expect(response.status).toBe(isJson(rawBody) ? 200 : 400);
          const replay = seen.has(rawBody);
          seen.add(rawBody);
          expect({ replay, changes }).toEqual({
            replay,
            changes: replay
              ? {}
              : {
                  BrilliantStatusEvent: `${before.BrilliantStatusEvent} → ${before.BrilliantStatusEvent! + 1}`,
                },
          });
        },
      ),
      { numRuns: RUNS.status, seed: SEED },
    );
  });

  it("GIVEN the order block's API with bad tokens, other shops' tokens or fuzzed ids THEN never 5xx, never 2xx without a valid token, and refusals write nothing", async () => {
    const validToken = await sessionToken(SHOP);
    const otherToken = await sessionToken(OTHER_SHOP);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant({ kind: "valid" as const }),
          fc.constant({ kind: "other-shop" as const }),
          fc.constant({ kind: "missing" as const }),
          headerText.map((value) => ({ kind: "garbled" as const, value })),
          fc.constant({ kind: "tampered" as const }),
        ),
        fc.oneof(
          fc.constant(heldShopifyOrderId),
          fc.constant(`0${heldShopifyOrderId}`),
          fc.constantFrom("0", "-1", "000"),
          fc.string({ unit: "grapheme", maxLength: 60 }),
          fc.constant("9".repeat(400)),
          fc.constant(`gid://shopify/Order/${heldShopifyOrderId}`),
        ),
        fc.constantFrom("GET", "POST"),
        malformedBody,
        async (auth, shopifyOrderId, method, rawBody) => {
          const headers = new Headers({ origin: "https://extensions.shopifycdn.com" });
          if (auth.kind === "valid") headers.set("authorization", `Bearer ${validToken}`);
          if (auth.kind === "other-shop") headers.set("authorization", `Bearer ${otherToken}`);
          if (auth.kind === "garbled") headers.set("authorization", `Bearer ${auth.value}`);
          if (auth.kind === "tampered") headers.set("authorization", `Bearer ${validToken.slice(0, -3)}abc`);
          const url = `${TEST_APP_URL}/api/orders/${encodeURIComponent(shopifyOrderId)}/sync`;
          const request = new Request(url, {
            method,
            headers,
            body: method === "POST" ? rawBody : undefined,
          });
          const before = await tableRowCounts(prisma);
          const response = await answerOf(method === "GET" ? apiLoader : apiAction, request, {
            shopifyOrderId,
          });
          const changes = diff(before, await tableRowCounts(prisma));
          count(response.status, Object.keys(changes).length > 0);
          const body = response.status >= 500 ? await response.text() : "";
          expect(response.status, body).toBeLessThan(500);
          if (auth.kind !== "valid" && auth.kind !== "other-shop") {
            expect(response.status, `${auth.kind} token`).toBeGreaterThanOrEqual(300);
          }
          if (auth.kind === "other-shop") expect(response.status).not.toBe(200);
          if (response.status >= 300) expect(changes).toEqual({});
        },
      ),
      { numRuns: RUNS.api, seed: SEED },
    );
  });

  it("GIVEN a valid HMAC over a real product (up to 2,048 variants) with one field wrong THEN 400 and nothing queued, or 200 and the worker applies it", async () => {
    const update = doors.find((door) => door.topic === "products/update")!;
    // What the properties above let in (products/delete takes any body with an id) goes first.
    expect(await applyQueuedProductUpdates()).toMatchObject({ unreadable: 0, more: false });
    let made = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 3, 120, 2_048),
        fc.constantFrom(
          "id",
          "title",
          "variants",
          "images",
          "image",
          "updated_at",
          "variant",
          "variant.id",
          "variant.title",
          "variant.sku",
          "variant.barcode",
          "variant.image_id",
          "image.src",
        ),
        weirdValue,
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (variantCount, field, value, place) => {
          made += 1;
          const [product] = generateProducts(1, variantCount, {
            firstProductId: 8_300_000_000 + made,
            firstVariantId: 47_000_000_000 + made * 10_000,
          });
          const body = restProductPayload(product!) as Record<string, unknown> & {
            variants: Array<Record<string, unknown>>;
          };
          const index = Math.floor(place * variantCount);
          if (field === "variant") (body.variants as unknown[])[index] = value;
          else if (field.startsWith("variant.")) {
            body.variants[index] = { ...body.variants[index], [field.slice("variant.".length)]: value };
          } else if (field === "image.src") body.image = { src: value };
          else (body as Record<string, unknown>)[field] = value;

          const before = await tableRowCounts(prisma);
          const response = await answerOf(
            update.action,
            webhookRequest(update, JSON.stringify(body), { headers: "none" }),
          );
          const changes = diff(before, await tableRowCounts(prisma));
          count(response.status, Object.keys(changes).length > 0);
          expect({ field, status: response.status }).toMatchObject({ status: expect.toBeOneOf([200, 400]) });
          if (response.status !== 200) {
            expect({ field, changes }).toEqual({ field, changes: {} });
            return;
          }
          // Let in: the worker applies it, never sets it aside as unreadable.
          const round = await applyQueuedProductUpdates();
          expect({ field, round }).toMatchObject({ field, round: { unreadable: 0, more: false } });
          expect(await countQueuedProductUpdates()).toBe(0);
          if (field !== "id") {
            expect({ field, applied: round.applied }).toEqual({ field, applied: 1 });
            const listed = await prisma.shopifyVariant.count({
              where: { shopifyProductId: String(product!.id) },
            });
            expect(listed, field).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 60, seed: SEED },
    );
  });

  it("keeps answering as it should to what fuzzing once found: an empty body with a bad HMAC, a shop header that is no domain, a topic of another endpoint", async () => {
    const paid = doors.find((door) => door.topic === "orders/paid")!;
    const order = JSON.stringify(testOrder(99_001, [{ variant: 73002, quantity: 1 }]));
    const before = await tableRowCounts(prisma);
    const answers = await Promise.all([
      answerOf(
        paid.action,
        webhookRequest(paid, "", { headers: "none", hmac: { kind: "garbled", value: "x" } }),
      ),
      answerOf(paid.action, webhookRequest(paid, order, { headers: "bad-shop", badShop: "!" })),
      answerOf(
        paid.action,
        webhookRequest(paid, order, { headers: "wrong-topic", wrongTopic: "orders/create" }),
      ),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([401, 400, 400]);
    expect(await tableRowCounts(prisma)).toEqual(before);
  });

  it("GIVEN all the fuzzed ids let in THEN every stored Shopify id is canonical: digits, no leading zero, at most 2^53 - 1", async () => {
    const canonical = (id: string | null) =>
      id === null || (/^[1-9]\d{0,15}$/.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER);
    const [orders, inbox, variants, holds] = await Promise.all([
      prisma.order.findMany({ select: { shopifyOrderId: true } }),
      prisma.orderInbox.findMany({ select: { shopifyOrderId: true } }),
      prisma.shopifyVariant.findMany({ select: { shopifyVariantId: true, shopifyProductId: true } }),
      prisma.fulfillmentHold.findMany({ select: { fulfillmentOrderId: true, shopifyOrderId: true } }),
    ]);
    const stored = [
      ...orders.map((row) => row.shopifyOrderId),
      ...inbox.map((row) => row.shopifyOrderId),
      ...variants.flatMap((row) => [row.shopifyVariantId, row.shopifyProductId]),
      ...holds.flatMap((row) => [row.fulfillmentOrderId, row.shopifyOrderId]),
    ];
    expect(orders.length + inbox.length).toBeGreaterThan(0);
    expect(stored.filter((id) => !canonical(id))).toEqual([]);
  });

  it("GIVEN customers/redact and customers/data_request naming 3,000 order ids of every odd kind THEN 200, never 5xx, and no row added or removed", async () => {
    // Numbers, strings, empty, huge, emoji, duplicates: more than Prisma lets one query bind.
    const odd = [
      (i: number) => i,
      (i: number) => -i,
      (i: number) => `id-${i}`,
      () => "",
      () => "9".repeat(40),
      () => "🙂",
      () => 1e21,
    ];
    const ids = Array.from({ length: 3_000 }, (_, index) => odd[index % odd.length]!(index));
    for (const topic of ["customers/redact", "customers/data_request"]) {
      const door = doors.find((candidate) => candidate.topic === topic)!;
      const body = JSON.stringify({
        shop_id: 1,
        shop_domain: WEBHOOK_SHOP,
        customer: { id: 1, email: "nobody@example.com", phone: "+1 000 000 0000" },
        orders_to_redact: ids,
        orders_requested: ids,
        data_request: { id: 1 },
      });
      const before = await tableRowCounts(prisma);
      const response = await answerOf(door.action, webhookRequest(door, body, { headers: "none" }));
      const changes = diff(before, await tableRowCounts(prisma));
      count(response.status, Object.keys(changes).length > 0);
      expect({ topic, status: response.status, changes }).toEqual({ topic, status: 200, changes: {} });
    }
  });

  it("printed no server error and no half-written refusal over all of it", () => {
    expect(tally.sent).toBeGreaterThanOrEqual(200);
    expect(tally.server_errors).toBe(0);
    expect(tally.half_written).toBe(0);
  });
});

describe("refused before a body is read or a shop is known", () => {
  it("GIVEN GET, HEAD or OPTIONS on any webhook route THEN 405 with Allow: POST from its loader, and nothing written", async () => {
    const before = await tableRowCounts(prisma);
    const answers: Array<{ door: string; method: string; status: number; allow: string | null }> = [];
    for (const door of doors) {
      const { loader } = await importRoute(door.id);
      expect(loader, `${door.id} has no loader`).toBeDefined();
      for (const method of ["GET", "HEAD", "OPTIONS"]) {
        const response = await answerOf(loader!, new Request(door.url, { method }));
        answers.push({
          door: door.id,
          method,
          status: response.status,
          allow: response.headers.get("allow"),
        });
      }
    }
    expect(answers).toEqual(
      answers.map(({ door, method }) => ({ door, method, status: 405, allow: "POST" })),
    );
    expect(await tableRowCounts(prisma)).toEqual(before);
  });

  it("GIVEN Brilliant status calls whose body never ends or outgrows 64 KB THEN an unknown token is 404 with the body unread, a known one 413, and nothing written", async () => {
    // Sends `prefix`, then never ends: a route that waited for the whole body would never answer.
    const endless = (prefix: string) =>
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode(prefix)),
      });
    // Grows for as long as it is read.
    const growing = () =>
      new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024).fill(0x20)),
      });
    const post = (token: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
      answerOf(
        statusAction,
        new Request(`${TEST_APP_URL}/brilliant/status/${encodeURIComponent(token)}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
          duplex: "half",
        } as RequestInit),
        { token },
      );
    const before = await tableRowCounts(prisma);
    const declaredTooLarge = { "content-length": String(BRILLIANT_STATUS_BODY_LIMIT_BYTES + 1) };
    expect((await post("not-a-token", endless('{"status":'))).status).toBe(404);
    expect((await post(statusToken, endless("{"), declaredTooLarge)).status).toBe(413);
    expect((await post(statusToken, growing())).status).toBe(413);
    expect(await tableRowCounts(prisma)).toEqual(before);
  });

  it("GIVEN a session token signed with the app's secret whose dest is no shop domain THEN every admin route and the order block's API answer 401 (not 500), and nothing is written", async () => {
    const ids = routeIds().filter((id) => id === "app" || id.startsWith("app.") || id.startsWith("api."));
    expect(ids.length).toBeGreaterThan(5);
    const before = await tableRowCounts(prisma);
    const answers: Array<{ route: string; dest: string; status: number }> = [];
    for (const dest of ["https://evil.example.com", "https://localhost", "https://not a shop"]) {
      const token = await mintSessionToken({
        shop: SHOP,
        apiKey: process.env.SHOPIFY_API_KEY!,
        apiSecret: process.env.SHOPIFY_API_SECRET!,
        dest,
      });
      for (const id of ids) {
        const module = await importRoute(id);
        const url = `${TEST_APP_URL}${routePath(id).replace(/\$\w+/g, "1")}`;
        const headers = { authorization: `Bearer ${token}` };
        const params = { id: "1", shopifyVariantId: "1", shopifyOrderId: heldShopifyOrderId };
        if (module.loader) {
          const response = await answerOf(module.loader, new Request(url, { headers }), params);
          answers.push({ route: `${id} loader`, dest, status: response.status });
        }
        if (module.action) {
          const body = new URLSearchParams({ intent: "retry" });
          const response = await answerOf(
            module.action,
            new Request(url, { method: "POST", headers, body }),
            params,
          );
          answers.push({ route: `${id} action`, dest, status: response.status });
        }
      }
    }
    expect(answers).toEqual(answers.map(({ route, dest }) => ({ route, dest, status: 401 })));
    expect(await tableRowCounts(prisma)).toEqual(before);
  });
});
