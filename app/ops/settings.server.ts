import { z } from "zod/v4";

import { InvalidEnvironmentError } from "../env.server";

/** How often a worker writes its heartbeat row. */
export const WORKER_HEARTBEAT_INTERVAL_MS = 15_000;

const unsetWhenEmpty = (value: unknown) => (value === "" ? undefined : value);

/**
 * The operations settings (docs/operations.md), read by the web server and
 * the worker when they start: health, readiness and metrics only, so a
 * process that never exposes them never needs them.
 */
const OpsEnvSchema = z.object({
  METRICS_TOKEN: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .min(16, "METRICS_TOKEN must be at least 16 characters: it is the only guard of /metrics")
      .optional(),
  ),
  // Below two heartbeats, a worker that is merely between two of them would count as gone.
  WORKER_STALE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(
      2 * WORKER_HEARTBEAT_INTERVAL_MS,
      `WORKER_STALE_AFTER_MS must be at least ${2 * WORKER_HEARTBEAT_INTERVAL_MS} (two heartbeats)`,
    )
    .default(120_000),
  WORKER_METRICS_PORT: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(1).max(65_535).optional()),
});

export type OpsSettings = z.infer<typeof OpsEnvSchema>;

export function opsSettings(source: NodeJS.ProcessEnv = process.env): OpsSettings {
  const result = OpsEnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new InvalidEnvironmentError(
      `The environment is not usable:\n${lines.join("\n")}\nSee docs/operations.md.`,
    );
  }
  return result.data;
}
