import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { EXPLAINED_CODES, explainCode } from "../orders/code-explanations";
import type { OrderDetail, TimelineAttempt } from "../orders/order-detail.server";
import { action, loader } from "./app.orders.$id";

const SHOP_A = "detail-a.myshopify.com";
const SHOP_B = "detail-b.myshopify.com";

interface ActionData {
  result?: { intent: string; changed: boolean; message: string };
  error?: string;
  fieldErrors?: Record<string, string[]>;
}

const VALID_ADDRESS = {
  intent: "fixAddress",
  name: "Jeanne Tremblay",
  address1: "100 Queen St W",
  address2: "Suite 4",
  city: "Toronto",
  provinceCode: "on",
  zip: "M5H 2N2",
  countryCode: "CA",
  phone: "+1 416 555 0100",
};

async function holdForAddress(shop: string): Promise<string> {
  const id = await orderInState(shop, "held", { name: "#1007", holdKind: "address", code: 2501 });
  const order = await prisma.order.findUniqueOrThrow({ where: { id } });
  const payload = JSON.parse(order.payload) as Record<string, unknown>;
  payload.shipping_address = {
    name: "Jeanne Tremblay",
    address1: "100 Queen St W",
    city: "Toronto",
    province: "Ontario",
    zip: "M5H 2N2",
    country: "Canada",
    country_code: "CA",
  };
  await prisma.order.update({ where: { id }, data: { payload: JSON.stringify(payload) } });
  return id;
}

describe("order detail (app.orders.$id)", () => {
  beforeEach(async () => {
    await resetDatabase(prisma);
    await seedAdminShop(SHOP_A);
    await seedAdminShop(SHOP_B);
  });

  const post = async (id: string, body: Record<string, string>, shop = SHOP_A) =>
    callRoute(action, await adminRequest(`/app/orders/${id}`, { shop, body }), { id });
  const get = async (id: string, shop = SHOP_A) =>
    callRoute(loader, await adminRequest(`/app/orders/${id}`, { shop }), { id });
  const stateOf = async (id: string) => (await prisma.order.findUniqueOrThrow({ where: { id } })).state;

  it("GIVEN a held order the checks would hold again WHEN its page loads THEN it says so, before any resubmit", async () => {
    const id = await orderInState(SHOP_A, "held", { name: "#1009", holdKind: "review" });
    const { order } = (await (await get(id)).json()) as {
      order: { resubmitWould: { kind: string; holdKind?: string; reason: string } | null };
    };
    // This shop has no Brilliant credentials: that is what a resubmit would meet now.
    expect(order.resubmitWould).toMatchObject({ kind: "held", holdKind: "credentials" });
    expect(await stateOf(id)).toBe("held");
  });

  it("GIVEN an order with attempts WHEN its page loads THEN it has transitions and attempts on one timeline, with codes explained", async () => {
    const id = await orderInState(SHOP_A, "retrying", { name: "#1005", code: 3501 });
    const [sending] = await prisma.orderTransition.findMany({ where: { orderId: id, toState: "sending" } });
    await prisma.forwardAttempt.create({
      data: {
        orderId: id,
        shop: SHOP_A,
        number: 1,
        kind: "create",
        startedAt: new Date(sending!.at.getTime() + 1),
        durationMs: 120,
        requestBody: JSON.stringify({ order_items: [{ variant_id: 73002, quantity: 1 }] }),
        httpStatus: 200,
        responseBody: JSON.stringify({ code: 3501, message: "Internal issue", invalid_records: [] }),
        code: 3501,
        message: "Internal issue",
        invalidRecords: JSON.stringify([{ state: "Ontario" }]),
        outcome: "retry",
      },
    });

    // As in a real pass, the answer (and the move it caused) came after the request's 120 ms.
    await prisma.orderTransition.updateMany({
      where: { orderId: id, toState: "retrying" },
      data: { at: new Date(sending!.at.getTime() + 150) },
    });

    const response = await get(id);
    expect(response.status).toBe(200);
    const { order } = (await response.json()) as { order: OrderDetail };
    expect(order.state).toBe("retrying");
    expect(order.lastCodeExplanation?.code).toBe(3501);
    expect(order.shippingAddress?.province_code).toBe("TX");
    const labels = order.timeline.map((entry) =>
      entry.type === "attempt" ? `attempt ${entry.number}` : entry.toState,
    );
    expect(labels.slice(-3)).toEqual(["sending", "attempt 1", "retrying"]);
    const attempt = order.timeline.find((entry) => entry.type === "attempt") as TimelineAttempt;
    expect(attempt.explanation).toEqual(explainCode(3501));
    expect(attempt.requestBody).toBe(
      JSON.stringify({ order_items: [{ variant_id: 73002, quantity: 1 }] }, null, 2),
    );
    expect(attempt.invalidRecords).toEqual([{ state: "Ontario" }]);
  });

  it("explains every documented code, and falls back for unknown ones", () => {
    expect(EXPLAINED_CODES.sort()).toEqual([
      1200, 1404, 1500, 2501, 2502, 2503, 2504, 2505, 2506, 3501, 3502, 3503,
    ]);
    expect(explainCode(9999).title).toBe("Code 9999");
  });

  it("GIVEN shop A's held order WHEN shop B loads or acts on it THEN 404 and nothing changes", async () => {
    const id = await holdForAddress(SHOP_A);
    const before = await prisma.order.findUniqueOrThrow({ where: { id } });
    expect((await get(id, SHOP_B)).status).toBe(404);
    expect((await get("no-such-order")).status).toBe(404);
    const lineItemId = String(JSON.parse(before.payload).line_items[0].id);
    const bodies: Record<string, string>[] = [
      { intent: "resubmit" },
      { intent: "skip" },
      { intent: "retry" },
      VALID_ADDRESS,
      { intent: "omitLine", lineItemId },
      { intent: "substituteLine", lineItemId, brilliantVariantId: "73004" },
      { intent: "undoLineChange", lineItemId },
    ];
    for (const body of bodies) {
      expect((await post(id, body, SHOP_B)).status).toBe(404);
    }
    expect(await prisma.order.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });

  it("GIVEN an order held for its address WHEN the fix names no known country, or a province not of the country THEN 422 with the field errors, nothing changed", async () => {
    const id = await holdForAddress(SHOP_A);
    const before = await prisma.order.findUniqueOrThrow({ where: { id } });
    const cases: [Record<string, string>, Record<string, RegExp>][] = [
      [{ countryCode: "C" }, { countryCode: /Choose the country/ }],
      // "OT" is what a merchant typed for Ontario: not a Canadian province code (ISO 3166-2).
      [{ provinceCode: "OT" }, { provinceCode: /OT is not a state or province of Canada/ }],
      [{ provinceCode: "Ontario" }, { provinceCode: /Use the code ON for Ontario/ }],
      [{ provinceCode: "" }, { provinceCode: /Choose the state or province in Canada/ }],
    ];
    for (const [change, expected] of cases) {
      const response = await post(id, { ...VALID_ADDRESS, ...change });
      expect(response.status).toBe(422);
      const data = (await response.json()) as ActionData;
      for (const [field, message] of Object.entries(expected))
        expect(data.fieldErrors?.[field]?.[0]).toMatch(message);
      expect(data.fieldErrors?.name).toBeUndefined();
    }
    expect(await prisma.order.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });

  it("GIVEN an order held for its address WHEN a valid fix is posted THEN the stored address is rewritten and the order is ready", async () => {
    const id = await holdForAddress(SHOP_A);
    const beforePayload = JSON.parse((await prisma.order.findUniqueOrThrow({ where: { id } })).payload);
    const response = await post(id, VALID_ADDRESS);
    expect(response.status).toBe(200);
    expect(((await response.json()) as ActionData).result).toMatchObject({
      intent: "fixAddress",
      changed: true,
    });

    const after = await prisma.order.findUniqueOrThrow({ where: { id } });
    expect(after.state).toBe("ready");
    const payload = JSON.parse(after.payload);
    expect(payload.line_items).toEqual(beforePayload.line_items);
    expect(payload.name).toBe("#1007");
    expect(payload.shipping_address).toMatchObject({
      name: "Jeanne Tremblay",
      first_name: "Jeanne",
      last_name: "Tremblay",
      address1: "100 Queen St W",
      address2: "Suite 4",
      city: "Toronto",
      province: "Ontario",
      province_code: "ON",
      zip: "M5H 2N2",
      country: "Canada",
      country_code: "CA",
      phone: "+1 416 555 0100",
    });
    // Posting again changes nothing: it is no longer held for its address.
    const again = await post(id, VALID_ADDRESS);
    expect(((await again.json()) as ActionData).result?.changed).toBe(false);
  });

  it("the address fix is only for orders held for their address", async () => {
    const id = await orderInState(SHOP_A, "held", { holdKind: "mapping", code: 2502 });
    const before = await prisma.order.findUniqueOrThrow({ where: { id } });
    const data = (await (await post(id, VALID_ADDRESS)).json()) as ActionData;
    expect(data.result?.changed).toBe(false);
    expect(await prisma.order.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });

  it("retry, resubmit and skip move the right states, and refuse the wrong ones", async () => {
    const retrying = await orderInState(SHOP_A, "retrying", { code: 3501 });
    const retry = (await (await post(retrying, { intent: "retry" })).json()) as ActionData;
    expect(retry.result?.changed).toBe(true);
    expect(await stateOf(retrying)).toBe("retrying");
    expect(
      (await prisma.order.findUniqueOrThrow({ where: { id: retrying } })).nextAttemptAt!.getTime(),
    ).toBeLessThanOrEqual(Date.now());

    const held = await orderInState(SHOP_A, "held", { code: 2502 });
    expect(((await (await post(held, { intent: "resubmit" })).json()) as ActionData).result?.changed).toBe(
      true,
    );
    expect(await stateOf(held)).toBe("ready");

    const skipped = await orderInState(SHOP_A, "skipped");
    await post(skipped, { intent: "resubmit" });
    expect(await stateOf(skipped)).toBe("ready");

    const toSkip = await orderInState(SHOP_A, "held", { code: 2503, holdKind: "stock" });
    expect(((await (await post(toSkip, { intent: "skip" })).json()) as ActionData).result?.changed).toBe(
      true,
    );
    expect(await stateOf(toSkip)).toBe("skipped");

    const forwarded = await orderInState(SHOP_A, "forwarded", { code: 1200 });
    for (const intent of ["retry", "resubmit", "skip"]) {
      const data = (await (await post(forwarded, { intent })).json()) as ActionData;
      expect(data.result?.changed).toBe(false);
    }
    expect(await stateOf(forwarded)).toBe("forwarded");

    expect((await post(held, { intent: "delete" })).status).toBe(422);
  });

  it("GIVEN an order held for an unmapped variant WHEN its page loads THEN each line shows it is not mapped, with the link to map it, and nothing sent yet", async () => {
    const id = await orderInState(SHOP_A, "held", { holdKind: "mapping", code: 2502 });
    const { order } = (await (await get(id)).json()) as { order: OrderDetail };
    expect(order.lineItems).toHaveLength(1);
    expect(order.lineItems[0]).toMatchObject({
      title: "Item 73002",
      sku: "73002",
      quantity: 1,
      notForBrilliant: null,
      mapped: null,
      mappingPicker: "/app/mappings/1073002",
      change: null,
      sent: { kind: "not_sent" },
      substitutes: [],
    });
    // Held for a mapping: a line can be left out, not sent as another variant (mapping it serves later orders too).
    expect(order.lineActions).toEqual({ omit: true, substitute: false, undo: true });
  });

  it("GIVEN a held order WHEN a line change names no line, a line not in the order or no variant THEN 422 with the error on the line, nothing changed", async () => {
    const id = await orderInState(SHOP_A, "held", { holdKind: "stock", code: 2503 });
    const before = await prisma.order.findUniqueOrThrow({ where: { id } });
    const lineItemId = String(JSON.parse(before.payload).line_items[0].id);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ intent: "omitLine" }, "", /Choose a line/],
      [{ intent: "omitLine", lineItemId: "not-a-line" }, "not-a-line", /Choose a line/],
      [{ intent: "undoLineChange", lineItemId: "-4" }, "-4", /Choose a line/],
      [{ intent: "omitLine", lineItemId: "123456" }, "123456", /not in this order/],
      [{ intent: "substituteLine", lineItemId }, lineItemId, /Choose a Brilliant variant/],
      [
        { intent: "substituteLine", lineItemId, brilliantVariantId: "x".repeat(65) },
        lineItemId,
        /Not a Brilliant/,
      ],
      [
        { intent: "substituteLine", lineItemId, brilliantVariantId: "73004" },
        lineItemId,
        /not in your Brilliant catalog/,
      ],
    ];
    for (const [body, line, message] of cases) {
      const response = await post(id, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      const data = (await response.json()) as ActionData & {
        lineError?: { lineItemId: string; message: string };
      };
      expect(data.error).toMatch(message);
      expect(data.lineError).toEqual({ lineItemId: line, message: data.error });
    }
    expect(await prisma.order.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });
});
