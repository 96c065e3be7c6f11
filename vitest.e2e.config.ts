import { basename } from "node:path";
import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files share one stack and move the demo's orders (order detail
 * resubmits #1007, the orders list retries #1005), so they run in this order,
 * every time: the ones that read the demo's orders as seeded first. Vitest's
 * own order (failed first, then slowest) would change from run to run.
 * A file not listed runs last.
 */
export const E2E_FILE_ORDER = [
  "dashboard.e2e.ts",
  "orders.e2e.ts",
  "settings.e2e.ts",
  "mapping.e2e.ts",
  "order-detail.e2e.ts",
];

class FixedOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = E2E_FILE_ORDER.indexOf(basename(file.moduleId));
      return index === -1 ? E2E_FILE_ORDER.length : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

// `npm run test:e2e`: the embedded admin in a real Chromium (Debian's
// /usr/bin/chromium through playwright-core). tests/e2e/global-setup.ts starts
// the whole stack once (simulator, Shopify Admin GraphQL stand-in, SQLite, the
// built app, worker, demo orders, admin preview); the files run one after
// another in one fork, in E2E_FILE_ORDER.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A page answers in tens of milliseconds, but the machine may be busy.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    sequence: { sequencer: FixedOrderSequencer },
  },
});
