// vitest globalSetup for the end-to-end tests: one stack for the whole run,
// handed to the test files through provide/inject (see harness.ts).
import type { TestProject } from "vitest/node";
import { startAdminStack } from "../../scripts/lib/admin-stack";
import { E2E_ENV, type E2eStackInfo } from "./stack";

export default async function globalSetup(project: TestProject) {
  const started = Date.now();
  const stack = await startAdminStack({
    label: "e2e",
    env: E2E_ENV,
    say: (line) => process.stderr.write(`[e2e] ${line}\n`),
  });
  process.stderr.write(
    `[e2e] stack ready in ${Math.round((Date.now() - started) / 1000)} s: ${stack.previewUrl}/app\n`,
  );
  const info: E2eStackInfo = {
    previewUrl: stack.previewUrl,
    appUrl: stack.appUrl,
    shop: stack.shop,
    apiKey: stack.apiKey,
    apiSecret: stack.apiSecret,
    workdir: stack.workdir,
    databaseUrl: stack.env.DATABASE_URL!,
  };
  project.provide("e2eStack", info);
  return async () => {
    await stack.stop();
  };
}
