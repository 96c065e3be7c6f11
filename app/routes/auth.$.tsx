import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useRouteError } from "@remix-run/react";
import { ShopifyError } from "@shopify/shopify-api";
import { boundary } from "@shopify/shopify-app-remix/server";
import { logger } from "../logger.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  try {
    await authenticate.admin(request);
  } catch (error) {
    // The library throws (not a Response) for a request it refuses, e.g. an
    // exit-iframe destination outside the app and the Shopify admin: bad input, not a server fault.
    if (!(error instanceof ShopifyError)) throw error;
    logger.warn({ path: new URL(request.url).pathname, reason: error.message }, "auth request refused");
    throw new Response("Bad request", { status: 400 });
  }
  return null;
};

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => {
  return boundary.headers(headersArgs);
};
