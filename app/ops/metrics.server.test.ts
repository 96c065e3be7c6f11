import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { syncBrilliantCatalog } from "../catalog/brilliant-catalog.server";
import { createBrilliantClient, type BrilliantClient } from "../integrations/brilliant/client.server";
import type { CreateOrderRequest } from "../integrations/brilliant/schemas";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator, type RunningSimulator } from "../../simulator/server";
import { validOrderRequest } from "../../simulator/test-helpers";
import { resetDatabase } from "../../tests/helpers/db";
import { serveWorkerMetrics } from "./endpoints.server";
import { metricsRegistry } from "./metrics.server";

/**
 * The one-line hooks count what they measure: Brilliant's calls by call, kind
 * and code with their time, the retries and lookups they lead to, and syncs
 * by kind and result (the simulator over real HTTP); and the worker's own
 * listener serves them behind the token.
 */
const order = () => validOrderRequest() as unknown as CreateOrderRequest;
const TOKEN = "worker-metrics-token-0123456789";

/** A sample's value in the registry's text, 0 when it has none yet. */
async function sample(name: string, labels: string): Promise<number> {
  const text = await metricsRegistry({ withDefaults: false }).metrics();
  const line = text.split("\n").find((row) => row.startsWith(`${name}{${labels}} `));
  return Number(line?.split(" ")[1] ?? 0);
}

describe("metrics hooks", () => {
  let sim: RunningSimulator;
  let client: BrilliantClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = createBrilliantClient({ baseUrl: sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    sim.reset();
    await resetDatabase(prisma);
  });

  it("GIVEN Brilliant answers 3501 then 1200 WHEN two orders are sent THEN both calls are counted and timed, and one retry", async () => {
    const create = (kind: string, code: string) =>
      sample("brilliant_sync_brilliant_calls_total", `call="create_order",kind="${kind}",code="${code}"`);
    const timed = () => sample("brilliant_sync_brilliant_call_duration_seconds_count", `call="create_order"`);
    const retries = () => sample("brilliant_sync_order_retries_total", `reason="not_inserted"`);
    const before = [
      await create("retryable", "3501"),
      await create("accepted", "1200"),
      await timed(),
      await retries(),
    ];

    sim.scriptFault({ fault: { kind: "code3501" } });
    expect((await client.createOrder(order())).kind).toBe("retryable");
    expect((await client.createOrder(order())).kind).toBe("accepted");

    const after = [
      await create("retryable", "3501"),
      await create("accepted", "1200"),
      await timed(),
      await retries(),
    ];
    expect(after.map((value, index) => value - before[index]!)).toEqual([1, 1, 2, 1]);
  });

  it("GIVEN an order Brilliant never got WHEN it is looked up THEN the lookup and its list calls are counted", async () => {
    const lookups = () => sample("brilliant_sync_brilliant_lookups_total", `result="not_found"`);
    const lists = () =>
      sample("brilliant_sync_brilliant_calls_total", `call="list_orders",kind="ok",code="none"`);
    const before = [await lookups(), await lists()];

    const result = await client.findOrderByCustomData({
      shopifyShop: "metrics.myshopify.com",
      shopifyOrderId: 1,
    });

    expect(result.kind).toBe("not_found");
    expect([(await lookups()) - before[0]!, (await lists()) - before[1]!]).toEqual([1, 1]);
  });

  it("GIVEN a catalog read that succeeds and one Brilliant refuses THEN syncs are counted by result", async () => {
    const syncs = (result: string) =>
      sample("brilliant_sync_syncs_total", `kind="brilliant_catalog",result="${result}"`);
    const before = [await syncs("succeeded"), await syncs("failed")];
    const refused = createBrilliantClient({ baseUrl: sim.url, apiKey: SIM_API_KEY, apiSecret: "wrong" });

    expect((await syncBrilliantCatalog("metrics.myshopify.com", client)).ok).toBe(true);
    expect((await syncBrilliantCatalog("metrics.myshopify.com", refused)).ok).toBe(false);

    expect([(await syncs("succeeded")) - before[0]!, (await syncs("failed")) - before[1]!]).toEqual([1, 1]);
  });
});

describe("the worker's metrics listener (serveWorkerMetrics)", () => {
  it("GIVEN no WORKER_METRICS_PORT THEN there is no listener", async () => {
    expect(await serveWorkerMetrics({ WORKER_STALE_AFTER_MS: 120_000, METRICS_TOKEN: TOKEN })).toBeNull();
  });

  it("GIVEN a port and a token THEN /metrics answers 200 with the token, 401 without, and nothing else is served", async () => {
    const server = await serveWorkerMetrics({
      WORKER_STALE_AFTER_MS: 120_000,
      METRICS_TOKEN: TOKEN,
      WORKER_METRICS_PORT: 0,
    });
    if (!server) throw new Error("expected a listener");
    try {
      const { port } = server.address() as { port: number };
      const url = `http://127.0.0.1:${port}`;
      const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(allowed.status).toBe(200);
      const text = await allowed.text();
      expect(text).toContain("# TYPE brilliant_sync_brilliant_calls_total counter");
      expect(text).toContain("# TYPE process_cpu_seconds_total counter");
      // The database's figures are the web process's to report.
      expect(text).not.toContain("brilliant_sync_orders");
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/healthz`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
