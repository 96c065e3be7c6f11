import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, ingest, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { syncBrilliantCatalog } from "../catalog/brilliant-catalog.server";
import { skipOrders } from "./actions.server";
import { changeOrderLine } from "./line-changes.server";
import type { OrderDetail } from "./order-detail.server";
import { action, loader } from "../routes/app.orders.$id";

// Line changes from the order page through the worker to Brilliant (the
// simulator over HTTP), with the catalog synced from it: Classic Logo Tee L
// (73003) has 2 in stock, XL (73004) 12, M (73002) 55; the hoodie (73051) is inactive.

const SHOP = "line-changes.myshopify.com";
const world = withBrilliant(SHOP, { variants: [V.teeMedium, V.lowStock, V.inactive], installed: true });

beforeEach(async () => {
  await syncBrilliantCatalog(
    SHOP,
    createBrilliantClient({ baseUrl: world.sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET }),
  );
});

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

/** Order #T<number> received and forwarded until it settled (held, for these tests). */
async function heldOrder(number: number, lines: { variant: number; quantity: number }[]) {
  const { orderId } = await ingest(SHOP, testOrder(number, lines));
  await forward();
  return prisma.order.findUniqueOrThrow({ where: { id: orderId } });
}

const post = async (id: string, body: Record<string, string>) =>
  callRoute(action, await adminRequest(`/app/orders/${id}`, { shop: SHOP, body }), { id });

async function detail(id: string): Promise<OrderDetail> {
  const response = await callRoute(loader, await adminRequest(`/app/orders/${id}`, { shop: SHOP }), { id });
  return ((await response.json()) as { order: OrderDetail }).order;
}

const sentItems = (name: string) =>
  world.sim
    .acceptedOrders()
    .filter((record) => record.order.custom_data?.shopify_order_name === name)
    .map((record) => record.order.order_items.map((item) => [Number(item.variant_id), item.quantity]));

/** The next prisma.order.findFirst reads the order, then the order is skipped before the reader goes on. */
function skipRightAfterNextRead(orderId: string): () => void {
  const delegate = prisma.order as unknown as Record<string, unknown>;
  const read = prisma.order.findFirst.bind(prisma.order);
  // Prisma's delegates are proxies: deleting the stand-in would not bring the method back.
  const restore = () => {
    delegate.findFirst = read;
  };
  delegate.findFirst = async (args: Parameters<typeof read>[0]) => {
    restore();
    const seen = await read(args);
    await skipOrders(SHOP, [orderId]);
    return seen;
  };
  return restore;
}

const merchantChanges = (orderId: string) =>
  prisma.orderTransition.findMany({
    where: { orderId, actor: "merchant", fromState: "held", toState: "held" },
    orderBy: { at: "asc" },
  });

describe("line changes on the order page", () => {
  it("GIVEN an order held for stock WHEN its short line is sent as an in-stock variant THEN Brilliant gets that variant, the history says so and the payload is as Shopify sent it", async () => {
    const order = await heldOrder(1, [
      { variant: V.lowStock, quantity: 5 },
      { variant: V.teeMedium, quantity: 1 },
    ]);
    expect(order).toMatchObject({ state: "held", holdKind: "stock" });
    const before = await detail(order.id);
    const shortLine = before.lineItems.find((line) => line.lineItemId === "100")!;
    expect(shortLine).toMatchObject({
      quantity: 5,
      sku: String(V.lowStock),
      mapped: { brilliantVariantId: "73003", catalog: { stock: 2, active: true } },
      change: null,
      sent: { kind: "not_sent" },
    });
    // Same product, active, enough stock for 5: S (40), M (55), XL (12); not L itself.
    expect(shortLine.substitutes.map((variant) => variant.brilliantVariantId)).toEqual([
      "73001",
      "73002",
      "73004",
    ]);
    expect(before.lineActions).toEqual({ omit: true, substitute: true, undo: true });

    const response = await post(order.id, {
      intent: "substituteLine",
      lineItemId: "100",
      brilliantVariantId: "73004",
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: unknown }).result).toEqual({
      intent: "substituteLine",
      changed: true,
      message: "Line changed and resubmitted: it passed the checks and is queued for Brilliant",
    });
    await forward();

    const after = await prisma.order.findUniqueOrThrow({
      where: { id: order.id },
      include: { attempts: true },
    });
    expect(after.state).toBe("forwarded");
    expect(after.payload).toBe(order.payload);
    expect(JSON.parse(after.attempts.at(-1)!.requestBody!).order_items).toEqual([
      { variant_id: 73004, quantity: 5 },
      { variant_id: 73002, quantity: 1 },
    ]);
    expect(sentItems("#T1")).toEqual([
      [
        [73004, 5],
        [73002, 1],
      ],
    ]);
    const [change] = await merchantChanges(order.id);
    expect(change!.reason).toBe(
      "Line changed by the merchant: Item 73003 [SKU 73003] goes to Brilliant as Classic Logo Tee (XL / Heather Gray) (variant 73004) instead of Brilliant variant 73003.",
    );

    const shown = await detail(order.id);
    expect(shown.lineItems.map((line) => [line.change?.action ?? null, line.sent])).toEqual([
      ["substitute", { kind: "sent", brilliantVariantId: "73004", quantity: 5 }],
      [null, { kind: "sent", brilliantVariantId: "73002", quantity: 1 }],
    ]);
    expect(shown.lineItems[0]!.change).toMatchObject({
      variant: {
        brilliantVariantId: "73004",
        catalog: { name: "Classic Logo Tee (XL / Heather Gray)", stock: 12 },
      },
    });
    // At Brilliant: nothing more to change or undo.
    expect(shown.lineActions).toEqual({ omit: false, substitute: false, undo: false });
  });

  it("GIVEN an order held for an inactive variant WHEN the merchant sends it without that line THEN Brilliant gets the rest, and the page shows the line left out", async () => {
    const order = await heldOrder(2, [
      { variant: V.inactive, quantity: 1 },
      { variant: V.teeMedium, quantity: 2 },
    ]);
    expect(order).toMatchObject({ state: "held", holdKind: "inactive_variant" });
    const outcome = await changeOrderLine(SHOP, order.id, { intent: "omitLine", lineItemId: "200" });
    expect(outcome).toMatchObject({ ok: true, resubmitted: { changed: [order.id] } });
    await forward();

    expect(sentItems("#T2")).toEqual([[[73002, 2]]]);
    const shown = await detail(order.id);
    expect(shown.state).toBe("forwarded");
    expect(shown.lineItems[0]).toMatchObject({
      mapped: { brilliantVariantId: "73051", catalog: { active: false } },
      change: { action: "omit" },
      sent: { kind: "left_out" },
    });
    const [change] = await merchantChanges(order.id);
    expect(change!.reason).toMatch(/^Line left out by the merchant: Item 73051 \[SKU 73051\] \(1 ordered\)/);
    // The change shows in the page's history too.
    expect(
      shown.timeline.some((entry) => entry.type === "transition" && entry.reason === change!.reason),
    ).toBe(true);
  });

  it("GIVEN an order of one line held for stock WHEN the merchant leaves that line out THEN it is refused, suggesting Skip, and nothing changes", async () => {
    const order = await heldOrder(3, [{ variant: V.lowStock, quantity: 5 }]);
    const response = await post(order.id, { intent: "omitLine", lineItemId: "300" });
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { changed: boolean; message: string } };
    expect(result.changed).toBe(false);
    expect(result.message).toMatch(/every line.*skip the order instead/);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toEqual(order);
    expect(await merchantChanges(order.id)).toEqual([]);
  });

  it("GIVEN the order moves after the change was read WHEN the change is written THEN the move wins and nothing is recorded", async () => {
    const order = await heldOrder(4, [
      { variant: V.lowStock, quantity: 5 },
      { variant: V.teeMedium, quantity: 1 },
    ]);
    // The merchant skips it in another tab just after the change read it.
    const restore = skipRightAfterNextRead(order.id);
    try {
      const outcome = await changeOrderLine(SHOP, order.id, {
        intent: "substituteLine",
        lineItemId: "400",
        brilliantVariantId: "73004",
      });
      expect(outcome).toEqual({ ok: false, why: "it moved meanwhile" });
    } finally {
      restore();
    }
    const after = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after).toMatchObject({ state: "skipped", lineChanges: null });
    expect(await merchantChanges(order.id)).toEqual([]);
  });

  it("GIVEN a line left out and the order resubmitted WHEN the merchant undoes it before it is sent THEN it goes as mapped again (and is held for stock again)", async () => {
    const order = await heldOrder(5, [
      { variant: V.lowStock, quantity: 5 },
      { variant: V.teeMedium, quantity: 1 },
    ]);
    await changeOrderLine(SHOP, order.id, { intent: "omitLine", lineItemId: "500" });
    expect((await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("ready");

    const response = await post(order.id, { intent: "undoLineChange", lineItemId: "500" });
    expect(((await response.json()) as { result: { message: string } }).result.message).toBe(
      "Change undone: it applies when the order is sent",
    );
    await forward();
    const after = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after).toMatchObject({ state: "held", holdKind: "stock", lineChanges: null });
    expect(world.sim.acceptedOrders()).toEqual([]);
    const history = await prisma.orderTransition.findMany({
      where: { orderId: order.id, actor: "merchant" },
    });
    expect(history.map((row) => row.reason)).toContain(
      "Line change undone by the merchant: Item 73003 [SKU 73003] goes to Brilliant as it is mapped.",
    );
  });

  it("refuses a variant Brilliant would refuse, or the mapped one, as a 422 on the line; substitutes only for stock and inactive holds", async () => {
    const order = await heldOrder(6, [
      { variant: V.lowStock, quantity: 5 },
      { variant: V.teeMedium, quantity: 1 },
    ]);
    const refused = async (brilliantVariantId: string) => {
      const response = await post(order.id, {
        intent: "substituteLine",
        lineItemId: "600",
        brilliantVariantId,
      });
      expect(response.status).toBe(422);
      return (await response.json()) as { error: string; lineError: { lineItemId: string; message: string } };
    };
    expect((await refused(String(V.inactive))).lineError).toEqual({
      lineItemId: "600",
      message: "2023 Conference Hoodie (M / Forest) is inactive at Brilliant.",
    });
    expect((await refused(String(V.outOfStock))).error).toMatch(/has 0 in stock; this line needs 5/);
    expect((await refused("99999")).error).toMatch(/not in your Brilliant catalog/);
    expect((await refused(String(V.lowStock))).error).toMatch(/mapped to/);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toEqual(order);

    const unmapped = await heldOrder(7, [{ variant: 73062, quantity: 1 }]);
    expect(unmapped.holdKind).toBe("mapping");
    const data = (await (
      await post(unmapped.id, { intent: "substituteLine", lineItemId: "700", brilliantVariantId: "73002" })
    ).json()) as { result: { changed: boolean; message: string } };
    expect(data.result).toMatchObject({ changed: false });
    expect(data.result.message).toMatch(/^Not changed: lines can be changed here only while/);
  });
});
