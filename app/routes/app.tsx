import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { shopTimeZone } from "../models/shop-time-zone.server";
import { ShopTimeZoneContext } from "../components/shop-time";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const timeZone = await shopTimeZone(session.shop, admin.graphql);
  return json({ apiKey: process.env.SHOPIFY_API_KEY || "", timeZone });
};

export default function App() {
  const { apiKey, timeZone } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <ShopTimeZoneContext.Provider value={timeZone}>
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
          <Link to="/app/orders">Orders</Link>
          <Link to="/app/mappings">Mappings</Link>
          <Link to="/app/settings">Settings</Link>
        </NavMenu>
        <main>
          <Outlet />
        </main>
      </ShopTimeZoneContext.Provider>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers
// are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => {
  return boundary.headers(headersArgs);
};
