// What tests/e2e/global-setup.ts hands each test file (no vitest import here:
// global setup runs outside the test workers).

/** The app's environment for the e2e run: retries wait long enough for a test to press "Retry now". */
export const E2E_ENV: Record<string, string> = {
  RETRY_BASE_MS: "600000",
  RETRY_MAX_MS: "600000",
  LOG_LEVEL: "warn",
};

export interface E2eStackInfo {
  previewUrl: string;
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  workdir: string;
  databaseUrl: string;
}

// Type-only: lets global setup provide() and the harness inject() it.
declare module "vitest" {
  export interface ProvidedContext {
    e2eStack: E2eStackInfo;
  }
}
