import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { WorkerHeartbeat } from "../ops/worker-heartbeat.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { loader } from "./app._index";

const SHOP = "home-worker.myshopify.com";

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
});

async function homeWorker(): Promise<unknown> {
  const response = await callRoute(loader, await adminRequest("/app", { shop: SHOP }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { worker: unknown }).worker;
}

describe("Home's worker status", () => {
  it("GIVEN a worker seen just now THEN Home has nothing to warn about", async () => {
    await new WorkerHeartbeat("worker-a").beat();
    expect(await homeWorker()).toEqual({ running: true });
  });

  it("GIVEN the last heartbeat 12 minutes old THEN Home says when the worker was last seen", async () => {
    const seenAt = new Date(Date.now() - 12 * 60_000 - 5_000);
    await new WorkerHeartbeat("worker-a").beat(seenAt);
    expect(await homeWorker()).toEqual({ running: false, lastSeenAt: seenAt.toISOString(), minutesAgo: 12 });
  });

  it("GIVEN no worker ever ran THEN Home says so", async () => {
    expect(await homeWorker()).toEqual({ running: false, lastSeenAt: null, minutesAgo: null });
  });
});
