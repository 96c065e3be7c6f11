// Hooks for tests that forward a shop's orders to Brilliant (the simulator,
// over HTTP): the simulator started once for the file; before each test an
// empty database, the simulator reset, and the shop seeded.
//
//   const world = withBrilliant(SHOP, { variants: [V.teeMedium] });
//   it("…", async () => { await forwardUntilSettled([makeForwarder(world.sim.url)]); … });
import { afterAll, beforeAll, beforeEach } from "vitest";
import prisma from "../../app/db.server";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { seedAdminShop } from "./admin-session";
import { resetDatabase } from "./db";
import { mapVariants, seedShopForForwarding } from "./forwarding";

export interface WithBrilliantOptions {
  /** Brilliant variant ids to map (nothing is mapped without). */
  variants?: number[];
  /** Install the shop too (its offline session), for tests that call admin routes. */
  installed?: boolean;
}

/** The shop with Brilliant credentials, installed if asked, its `variants` mapped, before each test. */
export function withBrilliant(shop: string, options: WithBrilliantOptions = {}) {
  const world = {} as { sim: RunningSimulator };
  beforeAll(async () => {
    world.sim = await startSimulator();
  });
  afterAll(async () => {
    await world.sim.close();
  });
  beforeEach(async () => {
    world.sim.reset();
    await resetDatabase(prisma);
    await seedShopForForwarding(shop);
    if (options.installed) await seedAdminShop(shop);
    if (options.variants) await mapVariants(shop, options.variants);
  });
  return world;
}
