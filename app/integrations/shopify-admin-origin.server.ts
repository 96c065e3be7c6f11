// Development and tests only: sends the app's Admin API calls to a stand-in
// (shopify-stand-in/admin-graphql.ts) instead of the shop, when
// SHOPIFY_ADMIN_API_ORIGIN says so. Imported once, for its effect, by
// app/shopify.server.ts, so the web server and the worker both get it.
//
// @shopify/shopify-api builds the Admin API URL from the shop's domain
// (`https://{shop}/admin/api/{version}/graphql.json`, in
// @shopify/admin-api-client) and sends every request through its runtime's
// `abstractFetch`. We wrap that function: a request for `/admin/api/…` keeps
// its path, method, body and headers, goes to the configured origin instead,
// and names the shop it was meant for in `X-Forwarded-Host`, as a reverse
// proxy would. So does the token endpoint (`/admin/oauth/access_token`: token
// exchange, refresh). The real client code runs unchanged; only the host it
// reaches differs.

// The adapter sets `abstractFetch` to the platform's fetch. Importing it here
// first means it has run before we wrap it, whatever the import order elsewhere.
import "@shopify/shopify-api/adapters/web-api";
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

import { env, InvalidEnvironmentError, type Env } from "../env.server";
import { logger } from "../logger.server";

export class AdminApiOriginRefusedError extends InvalidEnvironmentError {
  override name = "AdminApiOriginRefusedError";
}

type OriginSettings = Pick<
  Env,
  "NODE_ENV" | "SHOPIFY_ADMIN_API_ORIGIN" | "SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION"
>;

/**
 * The origin Admin API calls go to instead of the shop's, or null to reach
 * Shopify. Access tokens travel with every call, so a production process
 * refuses to send them elsewhere unless it was told so explicitly.
 */
export function adminApiOriginOverride(settings: OriginSettings): string | null {
  const configured = settings.SHOPIFY_ADMIN_API_ORIGIN;
  if (!configured) return null;
  const allowedInProduction = ["1", "true"].includes(
    settings.SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION ?? "",
  );
  if (settings.NODE_ENV === "production" && !allowedInProduction) {
    throw new AdminApiOriginRefusedError(
      "SHOPIFY_ADMIN_API_ORIGIN is set while NODE_ENV=production: the app would send shops' access " +
        "tokens to " +
        new URL(configured).origin +
        " instead of Shopify. It is meant for development and tests; unset it, or set " +
        "SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION=1 to run a production build against a stand-in.",
    );
  }
  return new URL(configured).origin;
}

type FetchParams = Parameters<typeof fetch>;

/** Token exchange and refresh: the stand-in plays Shopify's token endpoint too. */
const TOKEN_ENDPOINT_PATH = "/admin/oauth/access_token";

/** The request sent to `origin` instead, or null when it is not an Admin API request. */
export function redirectAdminApiRequest(
  input: FetchParams[0],
  init: FetchParams[1],
  origin: string,
): FetchParams | null {
  const original = new URL(input instanceof Request ? input.url : input.toString());
  const isAdminApi = original.pathname.startsWith("/admin/api/");
  if (!isAdminApi && original.pathname !== TOKEN_ENDPOINT_PATH) return null;
  const target = new URL(`${original.pathname}${original.search}`, origin);
  if (input instanceof Request) {
    const request = new Request(target, input);
    request.headers.set("X-Forwarded-Host", original.host);
    return [request, init];
  }
  const headers = new Headers(init?.headers);
  headers.set("X-Forwarded-Host", original.host);
  return [target, { ...init, headers }];
}

const reachShopify = abstractFetch;
let announcedOrigin: string | null = null;

function announce(origin: string): void {
  if (announcedOrigin === origin) return;
  announcedOrigin = origin;
  logger.warn(
    { adminApiOrigin: origin },
    "Admin API calls go to SHOPIFY_ADMIN_API_ORIGIN instead of Shopify (development and tests only)",
  );
}

// The setting is read on each call (env() is cached, so this is cheap): tests
// start the stand-in on a free port after the app's modules have loaded.
setAbstractFetchFunc(async (input, init) => {
  const origin = adminApiOriginOverride(env());
  const redirected = origin ? redirectAdminApiRequest(input, init, origin) : null;
  if (!origin || !redirected) return reachShopify(input, init);
  announce(origin);
  return reachShopify(...redirected);
});

// Fail at start-up, not at the first Admin API call; say so once when active.
const configuredAtStart = adminApiOriginOverride(env());
if (configuredAtStart) announce(configuredAtStart);
