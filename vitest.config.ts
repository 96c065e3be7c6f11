import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig, type ViteUserConfig } from "vitest/config";

export const TRUST_SUITES = [
  "tests/integration/exactly-once.test.ts",
  "tests/integration/faults.test.ts",
  "tests/integration/crashes.test.ts",
  "tests/integration/two-workers.test.ts",
  "tests/integration/three-workers-kill.test.ts",
];

/** What the unit and trust runs share: Node, a test database of each fork's own and the test app's environment. */
export const NODE_TEST_SETUP: NonNullable<ViteUserConfig["test"]> = {
  environment: "node",
  globalSetup: ["tests/setup/global-setup.ts"],
  setupFiles: ["tests/setup/app-env.ts", "tests/setup/test-env.ts"],
  hookTimeout: 60_000,
  pool: "forks",
};

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: [
      "app/**/*.test.ts",
      "app/**/*.test.tsx",
      "simulator/**/*.test.ts",
      "scripts/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    // The trust suites (whole runs of hundreds of orders through faults and
    // crashes) run on their own: `npm run test:trust`.
    exclude: ["node_modules", "build", "tests/e2e/**", ...TRUST_SUITES],
    ...NODE_TEST_SETUP,
    testTimeout: 30_000,
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
