import type { AdminGraphql } from "./shopify-admin.server";

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
    const { admin } = await unauthenticated.admin(shop);
    return admin.graphql(...args);
  }) as AdminGraphql;
}
