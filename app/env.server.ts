import { z } from "zod/v4";

/**
 * Every setting the web server and the worker read from the environment,
 * checked once at start-up so a missing or malformed value stops the process
 * with a message that names it, instead of failing later mid-order.
 */
const intFromEnv = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
// Any value `new URL` parses, kept as written. Not `z.url()`: that would hand
// back `URL.href` instead (host lower-cased, default port dropped).
const urlFromEnv = (message: string) => z.string().refine((value) => URL.canParse(value), { error: message });

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().min(1).default("file:./prisma/dev.sqlite"),

  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required (the app's client id)"),
  SHOPIFY_API_SECRET: z
    .string()
    .min(1, "SHOPIFY_API_SECRET is required: webhooks and session tokens are verified with it"),
  SHOPIFY_APP_URL: urlFromEnv("SHOPIFY_APP_URL must be the app's public https URL"),
  // Orders and products to forward and map; merchant-managed fulfillment orders
  // to mark an order fulfilled once Brilliant ships it; inventory to set
  // Shopify's stock from Brilliant's (Settings → Stock in Shopify).
  SCOPES: z
    .string()
    .default(
      "read_orders,read_products,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,write_inventory",
    ),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  // Development and tests only: send Admin API calls to this origin (the
  // Admin GraphQL stand-in, shopify-stand-in/admin-graphql.ts) instead of the
  // shop's. Refused when NODE_ENV=production unless
  // SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION=1 (the demo runs the production
  // build against the stand-in). See app/integrations/shopify-admin-origin.server.ts.
  SHOPIFY_ADMIN_API_ORIGIN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    urlFromEnv("SHOPIFY_ADMIN_API_ORIGIN must be an origin such as http://127.0.0.1:4020")
      .refine((value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ""), {
        error: "SHOPIFY_ADMIN_API_ORIGIN must be an origin only (scheme, host, port), without a path",
      })
      .optional(),
  ),
  SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION: z.enum(["0", "1", "false", "true"]).optional(),

  BRILLIANT_API_BASE_URL: urlFromEnv(
    "BRILLIANT_API_BASE_URL must be a URL such as https://api.brilliantmade.com/V2",
  ).default("https://api.brilliantmade.com/V2"),
  BRILLIANT_TIMEOUT_MS: intFromEnv(15_000),

  // 32 bytes, base64 or hex: encrypts each shop's Brilliant key and secret at rest.
  CREDENTIALS_ENCRYPTION_KEY: z.string().refine((value) => decodeKey(value) !== null, {
    error: "CREDENTIALS_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64",
  }),
  // The key being rotated away from, during a rotation only: still read, never written (npm run rotate-key).
  CREDENTIALS_ENCRYPTION_KEY_PREVIOUS: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .refine((value) => decodeKey(value) !== null, {
        error: "CREDENTIALS_ENCRYPTION_KEY_PREVIOUS must be 32 bytes as 64 hex characters or base64",
      })
      .optional(),
  ),

  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  WORKER_POLL_MS: intFromEnv(500),
  // Orders in flight per worker, and per shop within that. Throughput is at
  // most in-flight / Brilliant's answer time: 64 allows ~640 orders/s at
  // 100 ms. A shop's 8 keep one shop's burst from taking every slot.
  WORKER_CONCURRENCY: intFromEnv(64),
  WORKER_PER_SHOP_CONCURRENCY: intFromEnv(8),
  WORKER_LEASE_MS: intFromEnv(60_000),
  // How often the worker reads each shop's Brilliant catalog again (0: never).
  CATALOG_SYNC_INTERVAL_MS: intFromEnv(15 * 60_000),
  // How often forwarded, unshipped orders are read from Brilliant when no status webhook came (0: never).
  STATUS_POLL_INTERVAL_MS: intFromEnv(30 * 60_000),
  // How often the worker reads each shop's Shopify variants in full (0: never; webhooks keep them fresh).
  SHOPIFY_SYNC_INTERVAL_MS: intFromEnv(24 * 60 * 60_000),
  // How often the worker lists each shop's paid orders of the last days and records any it missed
  // (0: never, and "Reconcile now" waits too); the sweep is checked for at most every 30 s.
  RECONCILE_INTERVAL_MS: intFromEnv(6 * 60 * 60_000),
  // Expiring offline tokens (Shopify: an hour) are renewed this long before they expire. More than
  // the library's own 5 minutes, so it never renews one itself (app/integrations/shopify-session-storage.server.ts).
  SHOPIFY_TOKEN_REFRESH_MARGIN_MS: intFromEnv(330_000),
  // How often the worker moves shops still on non-expiring tokens to expiring ones, and renews
  // refresh tokens within a week of their 90 days (0: never).
  TOKEN_SWEEP_INTERVAL_MS: intFromEnv(10 * 60_000),
  RETRY_BASE_MS: intFromEnv(30_000),
  RETRY_MAX_MS: intFromEnv(3_600_000),
  // How long a stopping process (SIGTERM, SIGINT) lets the requests and order runs in hand finish.
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(1_000, "SHUTDOWN_GRACE_MS must be at least 1000: handing back the orders in hand takes a moment")
    .default(10_000),
  // Days after which a settled order's stored bodies lose the customer's personal data (0: kept for ever).
  RETENTION_DAYS: intFromEnv(90),
});

export type Env = z.infer<typeof EnvSchema>;

export class InvalidEnvironmentError extends Error {
  override name = "InvalidEnvironmentError";
}

export function decodeKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  const fromBase64 = Buffer.from(trimmed, "base64");
  return fromBase64.length === 32 ? fromBase64 : null;
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  - ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new InvalidEnvironmentError(
      `The environment is not usable:\n${lines.join("\n")}\nSee README.md, "Configuration".`,
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The checked environment, parsed on first use and then reused. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Tests change process.env between cases; they call this to re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}
