import prisma from "../db.server";
import type { AdminGraphql } from "./shopify-admin.server";
import { forgetSessionsOf } from "./shopify-session-storage.server";

/**
 * The Admin GraphQL client for background work on a shop. Each call takes
 * the shop's offline session afresh (`unauthenticated.admin`, reused for a
 * second), so a chore that runs past the hour an access token lives uses the
 * renewed token instead of failing with 401 halfway.
 * Throws at once when the shop has no offline session (uninstalled).
 */
export async function shopAdminGraphql(shop: string): Promise<AdminGraphql> {
  const { unauthenticated } = await import("../shopify.server");
  await unauthenticated.admin(shop);
  return (async (...args: Parameters<AdminGraphql>) => {
    const { admin, session } = await unauthenticated.admin(shop);
    try {
      return await admin.graphql(...args);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      // Renewing a token revokes the one before it: a renewal by another chore
      // or process while this call was on its way is not a refusal. Once, with
      // the token stored now; the same token refused again is one.
      forgetSessionsOf(prisma, shop);
      const now = await unauthenticated.admin(shop);
      if (now.session.accessToken === session.accessToken) throw error;
      return now.admin.graphql(...args);
    }
  }) as AdminGraphql;
}

/** HttpResponseError of @shopify/shopify-api for an HTTP 401 answer. */
function isUnauthorized(error: unknown): boolean {
  const response = (error as { response?: { code?: unknown } } | null)?.response;
  return response?.code === 401;
}
