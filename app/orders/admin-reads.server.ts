import { z } from "zod/v4";

import type { AdminThrottling } from "../integrations/shopify-admin.server";
import type { Logger } from "../logger.server";

/**
 * What the app's Admin API readers share: how long each may wait on Shopify's
 * throttle, and the shape of a connection's pages.
 */

type ThrottleLimits = Pick<AdminThrottling, "maxThrottleRetries" | "maxWaitMs">;

/** A webhook answers Shopify within 5 s: a few short waits, then the worker tries again. */
export const WEBHOOK_LIMITS: ThrottleLimits = { maxThrottleRetries: 3, maxWaitMs: 2_000 };
/** A sweep or sync runs in the background and may wait for the bucket to refill. */
export const SYNC_LIMITS: ThrottleLimits = { maxThrottleRetries: 10, maxWaitMs: 60_000 };

export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Throttling within `limits`, unless the caller's options (tests, the worker) say otherwise. */
export function adminThrottling(
  log: Logger,
  limits: ThrottleLimits,
  options: Partial<Omit<AdminThrottling, "log">> = {},
): AdminThrottling {
  return {
    sleep: options.sleep ?? sleepFor,
    maxThrottleRetries: options.maxThrottleRetries ?? limits.maxThrottleRetries,
    maxWaitMs: options.maxWaitMs ?? limits.maxWaitMs,
    log,
  };
}

export const PageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });

/** One page of a GraphQL connection whose nodes read as `node`. */
export function connectionSchema<T extends z.ZodType>(node: T) {
  return z.object({ nodes: z.array(node), pageInfo: PageInfoSchema });
}
