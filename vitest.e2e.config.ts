import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

// `npm run test:e2e`: the embedded admin in a real Chromium (Debian's
// /usr/bin/chromium through playwright-core). tests/e2e/global-setup.ts starts
// the whole stack once (simulator, SQLite, the built app, worker, demo orders,
// admin preview); the files run one after another in one fork.
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
  },
});
