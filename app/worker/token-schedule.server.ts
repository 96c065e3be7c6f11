import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";

/** Refresh tokens live 90 days from their last use; shops quiet that long are renewed a week before. */
const REFRESH_TOKEN_RENEW_BEFORE_MS = 7 * 24 * 60 * 60_000;
const SESSIONS_PER_ROUND = 500;

/**
 * The worker's token chore (decision 011):
 * - shops still on a non-expiring offline token are moved to an expiring pair
 *   (token exchange, as shopify.dev documents for shops that don't open the
 *   app), since Shopify refuses non-expiring tokens of public apps from
 *   2027-01-01;
 * - refresh tokens close to their 90 days are spent for new ones, so a shop
 *   that is quiet for months keeps working.
 * Renewals go through the session storage, so a web process or another worker
 * renewing the same shop at the same moment waits for this one's result.
 * Shops whose renewal Shopify refused wait for the merchant (a reconnect alert).
 */
export async function renewDueOfflineTokens(log: Logger = rootLogger): Promise<number> {
  const { sessionStorage } = await import("../shopify.server");
  const renewBefore = Date.now() + REFRESH_TOKEN_RENEW_BEFORE_MS;
  const due = await prisma.session.findMany({
    where: {
      isOnline: false,
      renewalRefusedAt: null,
      OR: [{ expires: null }, { refreshTokenExpires: { lt: new Date(renewBefore) } }],
    },
    select: { id: true, shop: true, expires: true },
    take: SESSIONS_PER_ROUND,
  });
  let renewed = 0;
  for (const session of due) {
    const kind = session.expires ? "refresh" : "migrate";
    try {
      const after = await sessionStorage.renewOfflineToken(session.id, kind, (current) =>
        kind === "migrate"
          ? !current.expires
          : (current.refreshTokenExpires?.getTime() ?? Infinity) < renewBefore,
      );
      if (after?.expires) renewed += 1;
      log.info({ shop: session.shop, kind, renewed: Boolean(after?.expires) }, "offline token renewal");
    } catch (error) {
      // Shopify unreachable: tried again next round.
      log.warn({ shop: session.shop, kind, err: error }, "offline token renewal could not run");
    }
  }
  return renewed;
}
