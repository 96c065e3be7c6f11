import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";
import { NODE_TEST_SETUP, TRUST_SUITES } from "./vitest.config";

// `npm run test:trust`: the exactly-once, fault, crash, two-worker and three-workers-kill suites.
// Each drives hundreds of orders through the real ingest and worker against
// the simulator; they run one file at a time so they do not starve each other.
// `npm run soak` is the same at full size (TRUST_SCALE=full, tests/integration/scale.ts).
// With TEST_DATABASE_URL set they run on PostgreSQL: each file's fork drops
// and creates its database afresh from the migrated template (tests/setup/test-env.ts).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: TRUST_SUITES,
    ...NODE_TEST_SETUP,
    testTimeout: 300_000,
    // A fork per file: each file replaces its SQLite database, and a client
    // cached in a shared fork would keep writing to the old one.
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
  },
});
