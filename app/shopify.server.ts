import "@shopify/shopify-app-remix/adapters/node";
import "./integrations/shopify-request-adapter.server";
import { HttpResponseError, InvalidShopError, ShopifyError, shopifyApi } from "@shopify/shopify-api";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
// Development and tests only: SHOPIFY_ADMIN_API_ORIGIN sends Admin API calls to a stand-in.
import "./integrations/shopify-admin-origin.server";
import prisma from "./db.server";
import {
  AppSessionStorage,
  TokenRenewalRefusedError,
  type RenewOfflineToken,
} from "./integrations/shopify-session-storage.server";
import { shopifyConnectionLost, shopifyConnectionRestored } from "./models/shopify-connection.server";
import { ensureShopSettings } from "./models/shop.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { flushReceivedOrders } from "./orders/ingest.server";

const settings = env();

export const apiVersion = ApiVersion.October26;

const shopify = shopifyApp({
  apiKey: settings.SHOPIFY_API_KEY,
  apiSecretKey: settings.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: settings.SCOPES.split(",").map((scope) => scope.trim()),
  appUrl: settings.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new AppSessionStorage(prisma, {
    renew: (input) => renewOfflineToken(input),
    refreshMarginMs: () => env().SHOPIFY_TOKEN_REFRESH_MARGIN_MS,
    onRefused: shopifyConnectionLost,
    onConnected: shopifyConnectionRestored,
  }),
  distribution: AppDistribution.AppStore,
  // The library's own messages go through our structured logger.
  logger: {
    level: LogSeverity.Warning,
    log: (severity, message) => {
      const level =
        severity === LogSeverity.Error ? "error" : severity === LogSeverity.Warning ? "warn" : "debug";
      logger[level]({ source: "shopify-api" }, message);
    },
  },
  hooks: {
    afterAuth: async ({ session }) => {
      await ensureShopSettings(session.shop);
    },
  },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    // Shopify refuses non-expiring offline tokens of public apps from 2027-01-01 (decision 011).
    expiringOfflineAccessTokens: true,
  },
  ...(settings.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [settings.SHOP_CUSTOM_DOMAIN] } : {}),
});

/**
 * The Remix package keeps its @shopify/shopify-api instance to itself; token
 * renewal uses one of its own with the same app credentials and shop domains.
 */
const tokenApi = shopifyApi({
  apiKey: settings.SHOPIFY_API_KEY,
  apiSecretKey: settings.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: settings.SCOPES.split(",").map((scope) => scope.trim()),
  hostName: new URL(settings.SHOPIFY_APP_URL).host,
  isEmbeddedApp: true,
  logger: {
    level: LogSeverity.Error,
    log: (_severity, message) => logger.error({ source: "shopify-api" }, message),
  },
  ...(settings.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [settings.SHOP_CUSTOM_DOMAIN] } : {}),
});

/**
 * Asks Shopify's token endpoint for a new offline session: a refresh, or the
 * one-time move of a non-expiring token to an expiring pair (token exchange,
 * as shopify.dev's "Migrate to expiring offline access tokens" documents). A
 * 4xx answer (other than 429) means Shopify will not take this token again.
 */
export const renewOfflineToken: RenewOfflineToken = async ({ kind, shop, token }) => {
  try {
    const { session } =
      kind === "refresh"
        ? await tokenApi.auth.refreshToken({ shop, refreshToken: token })
        : await tokenApi.auth.migrateToExpiringToken({ shop, nonExpiringOfflineAccessToken: token });
    return session;
  } catch (error) {
    if (error instanceof HttpResponseError) {
      const { code, body } = error.response;
      if (code >= 400 && code < 500 && code !== 429) {
        const reason = typeof body?.error === "string" ? body.error : `HTTP ${code}`;
        throw new TokenRenewalRefusedError(`Shopify refused to renew the offline token (${reason})`);
      }
    }
    throw error;
  }
};

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
/**
 * `authenticate.admin` for every route. The library throws, instead of
 * answering, for requests it refuses: a session token signed with the app's
 * secret whose `dest` is no shop domain (InvalidShopError, or a TypeError) is
 * a credential the app refuses, 401; any other ShopifyError of the request's
 * own (an exit-iframe destination outside the app and the admin, a malformed
 * shop) is bad input, 400. Neither is a server fault.
 * Once the shop is known, the orders acknowledged to it are made readable
 * (flushReceivedOrders), so no page or API needs to know how orders arrive.
 */
const authenticateAdmin: typeof shopify.authenticate.admin = async (request) => {
  const context = await refusingBadRequests(request);
  await flushReceivedOrders(context.session.shop);
  return context;
};

const refusingBadRequests: typeof shopify.authenticate.admin = async (request) => {
  try {
    return await shopify.authenticate.admin(request);
  } catch (error) {
    const path = new URL(request.url).pathname;
    const badDest =
      error instanceof InvalidShopError || (error as { code?: unknown } | null)?.code === "ERR_INVALID_URL";
    if (badDest && carriesSessionToken(request)) {
      logger.info({ path }, "session token names no shop; refused");
      throw new Response("Unauthorized", { status: 401 });
    }
    if (error instanceof ShopifyError && !(error instanceof HttpResponseError)) {
      logger.warn({ path, reason: error.message }, "admin request refused");
      throw new Response("Bad request", { status: 400 });
    }
    throw error;
  }
};

/** A fetch's bearer token, or a page load's `id_token`: where `authenticate.admin` reads `dest`. */
function carriesSessionToken(request: Request): boolean {
  return (
    /^bearer /i.test(request.headers.get("authorization") ?? "") ||
    new URL(request.url).searchParams.has("id_token")
  );
}

export const authenticate = { ...shopify.authenticate, admin: authenticateAdmin };
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
