import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

export const TRUST_SUITES = [
  "tests/integration/exactly-once.test.ts",
  "tests/integration/faults.test.ts",
  "tests/integration/crashes.test.ts",
  "tests/integration/two-workers.test.ts",
];

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
    environment: "node",
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/app-env.ts", "tests/setup/test-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
