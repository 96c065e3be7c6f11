import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { listOrders } from "../orders/order-list.server";
import { runDueBulkJobs } from "../orders/bulk-jobs.server";
import { action, loader } from "./app.orders._index";

const SHOP_A = "orders-a.myshopify.com";
const SHOP_B = "orders-b.myshopify.com";

interface ListData {
  orders: { id: string; name: string; state: string; code: number | null }[];
  nextCursor: string | null;
  previousCursor: string | null;
  codes: number[];
}
interface ActionData {
  result: {
    changed: { id: string; name: string }[];
    unchanged: { id: string; name: string | null; why: string }[];
  };
}

describe("orders list (app.orders._index)", () => {
  let heldA: string;
  let retryingA: string;
  let forwardedA: string;
  let heldB: string;
  let retryingB: string;

  beforeEach(async () => {
    await resetDatabase(prisma);
    await seedAdminShop(SHOP_A);
    await seedAdminShop(SHOP_B);
    heldA = await orderInState(SHOP_A, "held", {
      name: "#1002",
      code: 2502,
      createdAt: new Date("2026-11-20T10:00:00Z"),
    });
    retryingA = await orderInState(SHOP_A, "retrying", {
      name: "#1005",
      code: 3501,
      createdAt: new Date("2026-11-21T10:00:00Z"),
    });
    forwardedA = await orderInState(SHOP_A, "forwarded", {
      name: "#1001",
      code: 1200,
      createdAt: new Date("2026-11-22T10:00:00Z"),
    });
    heldB = await orderInState(SHOP_B, "held", { name: "#1002", code: 2502 });
    retryingB = await orderInState(SHOP_B, "retrying", { name: "#1009", code: 3501 });
  });

  const list = async (query: string, shop = SHOP_A) =>
    (await (await callRoute(loader, await adminRequest(`/app/orders${query}`, { shop }))).json()) as ListData;

  it("GIVEN two shops WHEN shop A lists its orders THEN it sees only its own, newest first", async () => {
    const data = await list("");
    expect(data.orders.map((order) => order.name)).toEqual(["#1001", "#1005", "#1002"]);
    expect(data.codes).toEqual([1200, 2502, 3501]);
    expect(JSON.stringify(data)).not.toContain(heldB);
  });

  it("GIVEN shop A's orders WHEN the list loads THEN it counts each state for the tabs, only shop A's", async () => {
    const response = await callRoute(loader, await adminRequest("/app/orders", { shop: SHOP_A }));
    const { counts } = (await response.json()) as { counts: Record<string, number> };
    expect(counts).toMatchObject({ held: 1, retrying: 1, forwarded: 1, unknown: 0, skipped: 0 });
  });

  it("filters by state, code, date range and order name", async () => {
    expect((await list("?state=held")).orders.map((o) => o.id)).toEqual([heldA]);
    expect((await list("?code=3501")).orders.map((o) => o.id)).toEqual([retryingA]);
    expect((await list("?from=2026-11-21&to=2026-11-21")).orders.map((o) => o.id)).toEqual([retryingA]);
    expect((await list("?query=1001")).orders.map((o) => o.id)).toEqual([forwardedA]);
    expect((await list("?query=%231002")).orders.map((o) => o.id)).toEqual([heldA]);
    // Shop B's #1009 is not found from shop A.
    expect((await list("?query=1009")).orders).toEqual([]);
  });

  it("GIVEN a shop in New York WHEN filtered by day THEN the days are the shop's, not UTC's", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP_A }, data: { ianaTimezone: "America/New_York" } });
    // 02:00 UTC on the 23rd is 21:00 on the 22nd in New York.
    const lateEvening = await orderInState(SHOP_A, "held", {
      name: "#1010",
      createdAt: new Date("2026-11-23T02:00:00Z"),
    });
    expect((await list("?from=2026-11-22&to=2026-11-22")).orders.map((o) => o.id)).toEqual([
      lateEvening,
      forwardedA,
    ]);
    expect((await list("?from=2026-11-23")).orders).toEqual([]);
  });

  it("refuses malformed filters and cursors with 400", async () => {
    const badState = await callRoute(loader, await adminRequest("/app/orders?state=lost", { shop: SHOP_A }));
    expect(badState.status).toBe(400);
    const badCursor = await callRoute(
      loader,
      await adminRequest("/app/orders?after=bm9wZQ", { shop: SHOP_A }),
    );
    expect(badCursor.status).toBe(400);
  });

  it("GIVEN a date filter that is no calendar day, or out of range WHEN the list loads THEN 400 with the reason on its field and nothing listed, never 500", async () => {
    const cases: [string, { from?: RegExp; to?: RegExp }][] = [
      ["?from=2026-13-01", { from: /2026-13-01 is not a date in the calendar/ }],
      ["?from=2026-99-99", { from: /2026-99-99 is not a date in the calendar/ }],
      ["?from=2026-00-10", { from: /2026-00-10 is not a date in the calendar/ }],
      ["?to=2026-02-30", { to: /2026-02-30 is not a date in the calendar/ }],
      ["?to=2027-02-29", { to: /2027-02-29 is not a date in the calendar/ }],
      ["?to=9999-12-31", { to: /Use a date from 2000-01-01 to 2100-12-31/ }],
      ["?from=1999-12-31&to=2026-11-21", { from: /Use a date from 2000-01-01 to 2100-12-31/ }],
      ["?from=2026-1-5", { from: /Use a date such as 2026-11-25/ }],
      ["?from=2026-11-22&to=2026-11-21", { to: /on or after the From date/ }],
      ["?from=2026-13-01&to=0000-00-00&state=held", { from: /not a date/, to: /Use a date from/ }],
    ];
    for (const [query, expected] of cases) {
      const response = await callRoute(loader, await adminRequest(`/app/orders${query}`, { shop: SHOP_A }));
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      const data = (await response.json()) as ListData & {
        dateErrors: { from?: string; to?: string } | null;
        filters: Record<string, string>;
      };
      expect(data.orders, query).toEqual([]);
      // What the page shows on the From and To fields, with the values the merchant gave.
      expect(data.dateErrors?.from, query).toEqual(
        expected.from ? expect.stringMatching(expected.from) : undefined,
      );
      expect(data.dateErrors?.to, query).toEqual(
        expected.to ? expect.stringMatching(expected.to) : undefined,
      );
      const given = Object.fromEntries(new URLSearchParams(query));
      expect({ from: data.filters.from, to: data.filters.to }, query).toEqual({
        from: given.from,
        to: given.to,
      });
      expect(data.codes).toEqual([1200, 2502, 3501]);
    }
    // Real days at the edges still filter: the leap day, and both ends of the range.
    const leap = await callRoute(loader, await adminRequest("/app/orders?from=2028-02-29", { shop: SHOP_A }));
    expect(leap.status).toBe(200);
    expect(((await leap.json()) as ListData).orders).toEqual([]);
    const all = await list("?from=2000-01-01&to=2100-12-31");
    expect(all.orders.map((order) => order.name)).toEqual(["#1001", "#1005", "#1002"]);
  });

  it("GIVEN a page link whose cursor holds an absurd date WHEN the list loads THEN 400 or a page, never 500", async () => {
    const cursor = (at: string) => Buffer.from(`${at}|${forwardedA}`, "utf8").toString("base64url");
    for (const at of [
      "+275760-09-13T00:00:00.000Z",
      "-271821-04-20T00:00:00.000Z",
      "2026-13-01",
      "9999-12-31T23:59:59.999Z",
    ]) {
      for (const direction of ["after", "before"]) {
        const response = await callRoute(
          loader,
          await adminRequest(`/app/orders?${direction}=${cursor(at)}`, { shop: SHOP_A }),
        );
        expect({ at, direction, status: response.status }).toEqual({
          at,
          direction,
          status: expect.toBeOneOf([200, 400]),
        });
      }
    }
  });

  it("pages with a stable keyset cursor, forward and back", async () => {
    const first = await listOrders(SHOP_A, {}, { limit: 2 });
    expect(first.orders.map((o) => o.name)).toEqual(["#1001", "#1005"]);
    expect(first.previousCursor).toBeNull();
    const second = await listOrders(SHOP_A, {}, { limit: 2, after: first.nextCursor! });
    expect(second.orders.map((o) => o.name)).toEqual(["#1002"]);
    expect(second.nextCursor).toBeNull();
    const back = await listOrders(SHOP_A, {}, { limit: 2, before: second.previousCursor! });
    expect(back.orders.map((o) => o.name)).toEqual(["#1001", "#1005"]);
    expect(back.previousCursor).toBeNull();
  });

  it("GIVEN shop A's retrying and held orders WHEN it retries now and resubmits THEN it says what changed and what did not, and why", async () => {
    const retry = await callRoute(
      action,
      await adminRequest("/app/orders", {
        shop: SHOP_A,
        body: { intent: "retry", orderIds: [retryingA, forwardedA] },
      }),
    );
    const retried = ((await retry.json()) as ActionData).result;
    expect(retried.changed).toEqual([{ id: retryingA, name: "#1005" }]);
    expect(retried.unchanged).toEqual([{ id: forwardedA, name: "#1001", why: "it is forwarded" }]);

    const resubmit = await callRoute(
      action,
      await adminRequest("/app/orders", { shop: SHOP_A, body: { intent: "resubmit", orderIds: [heldA] } }),
    );
    // Checked again first: the shop has no credentials, so the worker will hold it for that, and says so.
    expect(((await resubmit.json()) as ActionData).result.changed).toEqual([
      {
        id: heldA,
        name: "#1002",
        verdict: {
          kind: "held",
          holdKind: "credentials",
          reason: expect.stringMatching(/No Brilliant API key/),
        },
      },
    ]);
    expect((await prisma.order.findUniqueOrThrow({ where: { id: heldA } })).state).toBe("ready");
  });

  it("GIVEN shop A WHEN it posts shop B's order ids THEN nothing of shop B changes", async () => {
    const before = await prisma.order.findMany({ where: { shop: SHOP_B }, orderBy: { id: "asc" } });
    for (const intent of ["retry", "resubmit"]) {
      const response = await callRoute(
        action,
        await adminRequest("/app/orders", { shop: SHOP_A, body: { intent, orderIds: [heldB, retryingB] } }),
      );
      const { result } = (await response.json()) as ActionData;
      expect(result.changed).toEqual([]);
      expect(result.unchanged).toEqual([
        { id: heldB, name: null, why: "no such order in this shop" },
        { id: retryingB, name: null, why: "no such order in this shop" },
      ]);
    }
    expect(await prisma.order.findMany({ where: { shop: SHOP_B }, orderBy: { id: "asc" } })).toEqual(before);
  });

  describe("bulk actions over the whole view", () => {
    interface ViewData {
      bulkJob: {
        status: string;
        total: number;
        processed: number;
        filterLabel: string;
        summary: { counts: Record<string, number> };
      } | null;
      viewActions: { intent: string; count: number; states: string }[];
    }
    const view = async (query: string, shop = SHOP_A) =>
      (await (
        await callRoute(loader, await adminRequest(`/app/orders${query}`, { shop }))
      ).json()) as ViewData;
    const startAll = async (body: Record<string, string | undefined>, shop = SHOP_A) =>
      callRoute(action, await adminRequest("/app/orders", { shop, body: { scope: "view", ...body } }));

    it("GIVEN a filtered view WHEN the list loads THEN it offers only the actions that apply there, with how many orders each takes", async () => {
      expect((await view("")).viewActions).toEqual([]);
      expect((await view("?state=held")).viewActions).toEqual([
        { intent: "resubmit", count: 1, states: "held" },
      ]);
      expect((await view("?state=forwarded")).viewActions).toEqual([]);
      expect((await view("?from=2026-11-20&to=2026-11-22")).viewActions).toEqual([
        { intent: "resubmit", count: 1, states: "held or skipped" },
        { intent: "retry", count: 1, states: "retrying, being checked, waiting, received or ready to send" },
      ]);
    });

    it("GIVEN the Held view WHEN the merchant resubmits all of it THEN a background job is made, and the loader shows its progress, then its summary", async () => {
      const posted = await startAll({ intent: "resubmit", state: "held" });
      expect(posted.status).toBe(200);
      expect(await posted.json()).toMatchObject({
        job: { status: "queued", total: 1, processed: 0, filterLabel: "Held" },
      });
      expect(await prisma.bulkJob.findMany({ select: { shop: true, intent: true } })).toEqual([
        { shop: SHOP_A, intent: "resubmit" },
      ]);
      expect((await view("?state=held")).bulkJob).toMatchObject({ status: "queued", processed: 0, total: 1 });
      // Nothing of it on shop B's page.
      expect((await view("", SHOP_B)).bulkJob).toBeNull();

      await runDueBulkJobs("test-worker");
      const done = (await view("?state=held")).bulkJob;
      // Shop A has no Brilliant credentials: the worker will hold #1002 again, for that.
      expect(done).toMatchObject({
        status: "done",
        processed: 1,
        summary: { counts: { heldAgain: 1, sent: 0 } },
      });
      expect((await prisma.order.findUniqueOrThrow({ where: { id: heldA } })).state).toBe("ready");
      expect((await prisma.order.findUniqueOrThrow({ where: { id: heldB } })).state).toBe("held");
    });

    it("answers 422 to a bad view action and 409 to a second job while one runs, never 500", async () => {
      for (const body of [
        { intent: "delete", state: "held" },
        { intent: "resubmit", state: "lost" },
        { intent: "resubmit", code: "abc" },
        { intent: "resubmit", from: "2026-13-01" },
        { intent: "resubmit" },
        { intent: "retry", state: "held" },
        { intent: "resubmit", state: "forwarded" },
      ]) {
        const response = await startAll(body);
        expect({ body, status: response.status }).toEqual({ body, status: 422 });
        expect(((await response.json()) as { error: string }).error).toEqual(expect.any(String));
      }
      expect(await prisma.bulkJob.count()).toBe(0);

      expect((await startAll({ intent: "resubmit", state: "held" })).status).toBe(200);
      const second = await startAll({ intent: "retry", code: "3501" });
      expect(second.status).toBe(409);
      expect(await second.json()).toEqual({
        error: expect.stringMatching(/Another bulk action is under way/),
      });
    });
  });

  it("answers 422 to an unknown action or no order", async () => {
    const unknown = await callRoute(
      action,
      await adminRequest("/app/orders", { shop: SHOP_A, body: { intent: "delete", orderIds: [heldA] } }),
    );
    expect(unknown.status).toBe(422);
    const none = await callRoute(
      action,
      await adminRequest("/app/orders", { shop: SHOP_A, body: { intent: "retry" } }),
    );
    expect(none.status).toBe(422);
  });
});
