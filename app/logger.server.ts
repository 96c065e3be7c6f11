import pino, { type Logger } from "pino";

/**
 * The one structured logger. Context travels as bindings (`shop`, `orderId`,
 * `attempt`, `worker`), never interpolated into messages. Customer personal
 * data must never reach a log line: the paths below are censored as a second
 * line of defence for payloads that get logged by mistake.
 */
const PII_PATHS = [
  "*.email",
  "*.phone",
  "*.customer",
  "*.shipping_address",
  "*.billing_address",
  "*.shippingAddress",
  "*.billingAddress",
  "*.address_1",
  "*.address_2",
  "*.first_name",
  "*.last_name",
  "*.contact_email",
  "*.apiSecret",
  "*.apiKey",
  "*.accessToken",
  "*.authorization",
];

function level(): string {
  const fromEnv = process.env.LOG_LEVEL;
  if (fromEnv) return fromEnv;
  return process.env.NODE_ENV === "test" ? "silent" : "info";
}

const options = {
  level: level(),
  base: { service: process.env.BRILLIANT_SYNC_SERVICE ?? "web" },
  redact: { paths: PII_PATHS, censor: "[redacted]" },
  timestamp: pino.stdTimeFunctions.isoTime,
};

// Standard output unless LOG_DESTINATION=stderr: a command whose stdout is its
// result (the demo's --json) keeps the log off it.
export const logger: Logger =
  process.env.LOG_DESTINATION === "stderr" ? pino(options, pino.destination(2)) : pino(options);

export type { Logger };
