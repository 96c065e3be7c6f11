import { isRouteErrorResponse, useLocation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Page, Text } from "@shopify/polaris";

/** Where "back" goes from a page that failed: its list, or Home. */
function backFrom(pathname: string): { content: string; url: string } {
  if (pathname.startsWith("/app/orders/")) return { content: "Orders", url: "/app/orders" };
  if (pathname.startsWith("/app/mappings/")) return { content: "Mappings", url: "/app/mappings" };
  return { content: "Home", url: "/app" };
}

/**
 * An admin page's error, inside the admin's layout: what the loader said (a
 * thrown `{ message }` with its status, e.g. "This order is not in your shop."),
 * or, for anything else, that the page could not be shown. Never the error
 * itself: it can name files, queries or a customer's data (the server logs it).
 */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const { pathname } = useLocation();
  const back = backFrom(pathname);
  const said =
    isRouteErrorResponse(error) && typeof (error.data as { message?: unknown } | null)?.message === "string"
      ? (error.data as { message: string }).message
      : null;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const title =
    status === 404 ? "Not found" : status < 500 ? "This request was refused" : "Something went wrong";
  return (
    <Page title={title} backAction={back}>
      <Banner tone="critical" title={said ?? "Brilliant Sync could not show this page."}>
        <BlockStack gap="200">
          <Text as="p">
            {said ? "Check the link you followed." : "The error was recorded; reload the page to try again."}
          </Text>
          <Text as="p" tone="subdued">
            Error {status}
          </Text>
        </BlockStack>
      </Banner>
    </Page>
  );
}
