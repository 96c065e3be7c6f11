import type { ReactNode } from "react";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
} from "@remix-run/react";

function Document({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Document>
      <Outlet />
    </Document>
  );
}

/**
 * The last resort for an error no route caught. It says what happened in
 * the merchant's words and never shows the error itself: a message or stack
 * can name files, queries or a customer's data. The server logs it in full
 * (handleError in entry.server.tsx).
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const notFound = status === 404;
  return (
    <Document>
      <main style={{ fontFamily: "Inter, system-ui, sans-serif", padding: "2rem", maxWidth: "40rem" }}>
        <h1>{notFound ? "Page not found" : "Something went wrong"}</h1>
        <p>
          {notFound
            ? "This page does not exist. Open Brilliant Sync from your Shopify admin."
            : "Brilliant Sync could not show this page. The error was recorded; reload the page to try again."}
        </p>
        <p>Error {status}</p>
      </main>
    </Document>
  );
}
