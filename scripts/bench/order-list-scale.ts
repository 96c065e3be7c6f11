/**
 * `npm run bench -- --only order-list`: the orders list at 1M orders in one
 * shop (issue 5), and the home page's counts beside it.
 *
 * 1,000,000 orders in one shop over two years (plus 50,000 in two other
 * shops), in the states and with the codes a busy shop has, inserted in bulk
 * through better-sqlite3, with a month of Brilliant answers (ForwardAttempt)
 * for the outcomes chart. Then, through the app's real model functions in a
 * child process bound to that database, each repeated: the orders list
 * (`listOrders`) first page, a deep page (90% of the way back) forward
 * (`after`) and backward (`before`), for no filter, each state and code
 * filter, a date range, a date range with a state, and a search by order
 * name; the code filter's choices (`listOrderCodes`); the home page's counts
 * by state (`countOrdersByState`) and the whole home page (`getDashboard`).
 * Target: p95 ≤ 100 ms each.
 */
import { fileURLToPath } from "node:url";
import { CpuWindow } from "./proc-stats";
import {
  count,
  cpuText,
  fmtMs,
  mark,
  openSqlite,
  printResultTable,
  runAsMeasuringChild,
  runScalePhase,
  seededRandom,
  sqliteDate,
  timeRuns,
  timingText,
  type ResultRow,
  type ScalePhaseContext,
  type ScalePhaseRun,
  type SqliteDatabase,
  type Timing,
} from "./scale-common";

const MODULE = fileURLToPath(import.meta.url);

export const ORDER_LIST_TARGETS = { p95Ms: 100 };

const SHOP = "scale-orders.myshopify.com";
const OTHER_SHOPS = ["scale-orders-2.myshopify.com", "scale-orders-3.myshopify.com"];
const DAY_MS = 86_400_000;

export interface OrderListSizes {
  orders: number;
  otherShopOrders: number;
  /** Days of orders that have their Brilliant answers (ForwardAttempt rows). */
  attemptDays: number;
  runs: number;
}

function sizesFor(quick: boolean): OrderListSizes {
  return quick
    ? { orders: 20_000, otherShopOrders: 2_000, attemptDays: 30, runs: 5 }
    : { orders: 1_000_000, otherShopOrders: 25_000, attemptDays: 30, runs: 20 };
}

// ------------------------------------------------------------------ seeding

/** [state, share, code, holdKind]: a shop whose orders mostly went through. */
const STATE_MIX: Array<[string, number, number | null, string | null]> = [
  ["forwarded", 0.93, 1200, null],
  ["held", 0.012, 2502, "mapping"],
  ["held", 0.006, 2503, "stock"],
  ["held", 0.002, 2501, "address"],
  ["held", 0.0001, 2505, "brilliant_error"],
  ["retrying", 0.005, 3501, null],
  ["unknown", 0.0009, 1500, null],
  ["waiting", 0.004, null, null],
  ["skipped", 0.02, null, null],
  ["cancelled", 0.02, null, null],
];

function pickState(roll: number): (typeof STATE_MIX)[number] {
  let sum = 0;
  for (const entry of STATE_MIX) {
    sum += entry[1];
    if (roll < sum) return entry;
  }
  return STATE_MIX[0]!;
}

// A stored webhook body of a realistic size for the rows (the list never reads it).
const PAYLOAD = JSON.stringify({
  id: 0,
  name: "#0",
  line_items: [{ variant_id: 45000000001, sku: "73002", quantity: 1, title: "Classic Logo Tee" }],
  shipping_address: { city: "Portland", province_code: "OR", country_code: "US", zip: "97201" },
  note: "x".repeat(300),
});

/**
 * Orders of one shop, oldest first, two years up to now; every other pair of
 * orders shares a timestamp, so the list's id tie-break is exercised.
 */
function seedOrders(db: SqliteDatabase, shop: string, total: number, attemptDays: number, seed: number) {
  const random = seededRandom(seed);
  const now = Date.now();
  const start = now - 730 * DAY_MS;
  const step = (now - start) / total;
  const attemptsFrom = now - attemptDays * DAY_MS;
  const shopKey = shop.split(".")[0]!;
  const insertOrder = db.prepare(
    `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "state", "stateReason", "holdKind",
       "lastCode", "lastMessage", "attemptCount", "brilliantOrderId", "forwardedAt", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO "ForwardAttempt" ("id", "orderId", "shop", "number", "kind", "startedAt", "durationMs",
       "httpStatus", "code", "message", "outcome") VALUES (?, ?, ?, 1, 'create', ?, 120, 200, ?, ?, ?)`,
  );
  for (let i = 0; i < total; i++) {
    const at = start + Math.floor(i / 2) * 2 * step;
    const createdAt = sqliteDate(new Date(at));
    const [state, , code, holdKind] = pickState(random());
    const id = `o-${shopKey}-${String(i).padStart(8, "0")}`;
    insertOrder.run(
      id,
      shop,
      String(5_000_000_000 + i),
      `#${100_000 + i}`,
      PAYLOAD,
      state,
      state === "held" ? "Held: see the order for why." : null,
      holdKind,
      code,
      code === null ? null : `code ${code}`,
      code === null ? 0 : 1,
      state === "forwarded" ? `B${i}` : null,
      state === "forwarded" ? createdAt : null,
      createdAt,
      createdAt,
    );
    if (code !== null && at >= attemptsFrom) {
      insertAttempt.run(
        `fa-${id}`,
        id,
        shop,
        createdAt,
        code,
        `code ${code}`,
        code === 1200 ? "accepted" : "other",
      );
    }
  }
}

export function seedOrderListScale(dbFile: string, sizes: OrderListSizes): void {
  const db = openSqlite(dbFile);
  try {
    db.pragma("synchronous = OFF");
    const now = sqliteDate(new Date());
    db.transaction(() => {
      for (const shop of [SHOP, ...OTHER_SHOPS]) {
        db.prepare(
          `INSERT INTO "ShopSettings" ("shop", "statusWebhookToken", "updatedAt") VALUES (?, ?, ?)`,
        ).run(shop, `scale-token-${shop}`, now);
      }
      seedOrders(db, SHOP, sizes.orders, sizes.attemptDays, 11);
      OTHER_SHOPS.forEach((shop, index) =>
        seedOrders(db, shop, sizes.otherShopOrders, sizes.attemptDays, 12 + index),
      );
    })();
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ measuring (the child)

interface QueryResult {
  query: string;
  rows: number;
  timing: Timing;
}

interface Measured {
  queries: QueryResult[];
  matching: Record<string, number>;
  cpu: Record<string, number>;
}

type Filters = { state?: string; code?: number; from?: string; to?: string; query?: string };

/** The filters in SQL, for finding a deep cursor (untimed). */
function filterSql(filters: Filters): { sql: string; params: unknown[] } {
  const parts = [`"shop" = ?`];
  const params: unknown[] = [SHOP];
  if (filters.state) {
    parts.push(`"state" = ?`);
    params.push(filters.state);
  }
  if (filters.code !== undefined) {
    parts.push(`"lastCode" = ?`);
    params.push(filters.code);
  }
  if (filters.from) {
    parts.push(`"createdAt" >= ?`);
    params.push(sqliteDate(new Date(`${filters.from}T00:00:00.000Z`)));
  }
  if (filters.to) {
    parts.push(`"createdAt" < ?`);
    params.push(sqliteDate(new Date(new Date(`${filters.to}T00:00:00.000Z`).getTime() + DAY_MS)));
  }
  return { sql: parts.join(" AND "), params };
}

async function measure(dbFile: string, sizes: OrderListSizes): Promise<Measured> {
  const { listOrders, listOrderCodes, encodeCursor } = await import("../../app/orders/order-list.server");
  const { countOrdersByState } = await import("../../app/orders/order.server");
  const { getDashboard } = await import("../../app/orders/dashboard.server");
  const { default: prisma } = await import("../../app/db.server");
  const db = openSqlite(dbFile);

  const queries: QueryResult[] = [];
  const matching: Record<string, number> = {};
  const time = async (query: string, fn: () => Promise<unknown>, rowsOf: (last: unknown) => number) => {
    const { timing, last } = await timeRuns(fn, sizes.runs, 2);
    queries.push({ query, rows: rowsOf(last), timing });
  };
  const pageRows = (last: unknown) => (last as { orders: unknown[] }).orders.length;

  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
  const listings: Array<{ label: string; filters: Filters }> = [
    { label: "no filter", filters: {} },
    { label: "state forwarded", filters: { state: "forwarded" } },
    { label: "state held", filters: { state: "held" } },
    { label: "state unknown (rare)", filters: { state: "unknown" } },
    { label: "code 2503", filters: { code: 2503 } },
    { label: "code 2505 (rare)", filters: { code: 2505 } },
    { label: "date range (a month, a year ago)", filters: { from: day(395), to: day(365) } },
    { label: "date range + state held", filters: { from: day(395), to: day(365), state: "held" } },
    { label: "date range + code 2502", filters: { from: day(395), to: day(365), code: 2502 } },
  ];

  const window = new CpuWindow({ "order-list bench": process.pid });
  for (const { label, filters } of listings) {
    const { sql, params } = filterSql(filters);
    const total = (
      db.prepare(`SELECT COUNT(*) AS n FROM "Order" WHERE ${sql}`).get(...params) as { n: number }
    ).n;
    matching[label] = total;
    await time(`${label}: first page`, () => listOrders(SHOP, filters), pageRows);
    const deep = db
      .prepare(
        `SELECT "createdAt", "id" FROM "Order" WHERE ${sql} ORDER BY "createdAt" DESC, "id" DESC LIMIT 1 OFFSET ?`,
      )
      .get(...params, Math.floor(total * 0.9)) as { createdAt: string; id: string } | undefined;
    if (deep && total > 100) {
      const cursor = encodeCursor({ createdAt: new Date(deep.createdAt), id: deep.id });
      await time(`${label}: deep page forward`, () => listOrders(SHOP, filters, { after: cursor }), pageRows);
      await time(
        `${label}: deep page backward`,
        () => listOrders(SHOP, filters, { before: cursor }),
        pageRows,
      );
    }
  }
  const name = `#${100_000 + Math.floor(sizes.orders * 0.37)}`;
  await time(`search "${name}"`, () => listOrders(SHOP, { query: name }), pageRows);
  await time(`search "${name.slice(1)}" (no #)`, () => listOrders(SHOP, { query: name.slice(1) }), pageRows);
  await time(`search "#nope" (none)`, () => listOrders(SHOP, { query: "#nope" }), pageRows);
  await time(
    "code filter choices (listOrderCodes)",
    () => listOrderCodes(SHOP),
    (last) => (last as number[]).length,
  );
  // Each load a minute after the last, so the settled states are counted every time…
  let minutes = 0;
  await time(
    "home: counts by state, settled ones recounted",
    () => countOrdersByState(SHOP, { now: Date.now() + ++minutes * 61_000 }),
    () => 1,
  );
  // …and as loads within a minute of each other find them (the exact states only).
  await time(
    "home: counts by state (countOrdersByState)",
    () => countOrdersByState(SHOP),
    () => 1,
  );
  await time(
    "home: whole dashboard (getDashboard, 14 days)",
    () => getDashboard(SHOP, { days: 14 }),
    () => 1,
  );
  const cpu = window.close();

  db.close();
  await prisma.$disconnect();
  return { queries, matching, cpu };
}

// ------------------------------------------------------------------ the phase (orchestrator)

export interface OrderListScaleResults extends ScalePhaseRun<OrderListSizes, Measured> {
  targets: typeof ORDER_LIST_TARGETS;
}

export async function orderListScalePhase(ctx: ScalePhaseContext): Promise<OrderListScaleResults> {
  const sizes = sizesFor(ctx.quick);
  ctx.say(
    `\n[order-list] ${count(sizes.orders)} orders in one shop (+ ${count(sizes.otherShopOrders * OTHER_SHOPS.length)} in others): the orders list and the home page's counts`,
  );
  const run = await runScalePhase<typeof sizes, Measured>(ctx, {
    name: "order-list",
    module: MODULE,
    sizes,
    seed: seedOrderListScale,
  });
  const results = { ...run, targets: ORDER_LIST_TARGETS };
  const rows: ResultRow[] = run.measured.queries.map((query) => [
    query.query,
    `${timingText(query.timing)}; ${count(query.rows)} rows`,
    `p95 ≤ ${fmtMs(ORDER_LIST_TARGETS.p95Ms)}`,
    mark(query.timing.p95 <= ORDER_LIST_TARGETS.p95Ms),
  ]);
  printResultTable(ctx.say, `Results: orders list at ${count(sizes.orders)} orders`, rows);
  ctx.say(
    `  orders matching: ${Object.entries(run.measured.matching)
      .map(([label, n]) => `${label} ${count(n)}`)
      .join("; ")}`,
  );
  ctx.say(`  CPU: ${cpuText(run.measured.cpu)}`);
  ctx.say(`  load average before ${results.loadAverageBefore}, after ${results.loadAverageAfter}`);
  return results;
}

// ------------------------------------------------------------------ child entry

runAsMeasuringChild(MODULE, measure);
