import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
// Development and tests only: SHOPIFY_ADMIN_API_ORIGIN sends Admin API calls to a stand-in.
import "./services/shopify-admin-origin.server";
import prisma from "./db.server";
import { AppSessionStorage } from "./services/session-storage.server";
import { ensureShopSettings } from "./models/shop.server";
import { env } from "./env.server";
import { logger } from "./logger.server";

const settings = env();

export const apiVersion = ApiVersion.October26;

const shopify = shopifyApp({
  apiKey: settings.SHOPIFY_API_KEY,
  apiSecretKey: settings.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: settings.SCOPES.split(",").map((scope) => scope.trim()),
  appUrl: settings.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new AppSessionStorage(prisma),
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
  },
  ...(settings.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [settings.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
