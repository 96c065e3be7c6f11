/**
 * The benchmark's second yardstick: the app's own webhook lane (server.ts:
 * `node:http`, the turnstile, the body read whole, a Request made of it, the
 * answer written back) with an action that only authenticates and answers
 * 200. The authentication is the app's: `verifyWebhook`
 * (app/integrations/shopify-webhook-auth.server.ts), its edges around the library's
 * `authenticate.webhook` (HMAC, Shopify's headers, `JSON.parse` of the body,
 * the shop's offline session from the app's session storage). No body
 * checks, no write.
 *
 * What the issue requires of every orders/paid webhook is in it and nothing
 * else, so its req/s and p99 are the most the app can reach on the machine
 * measured: the gap between it and the bare server is what
 * `authenticate.webhook` and the lane cost, the gap between it and the app
 * is what the order's checks and its durable write cost.
 *
 * `npm run bench` runs it in its own process, from source, with the app's
 * environment (DATABASE_URL: the ingest phase's database, for the sessions):
 *   PORT=… DATABASE_URL=… SHOPIFY_API_SECRET=… node --import tsx scripts/bench/authenticate-only-server.ts
 */
import http from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import type { ActionFunctionArgs } from "@remix-run/node";
import { installGlobals } from "@remix-run/node";

import { verifyWebhook } from "../../app/integrations/shopify-webhook-auth.server";
import { webhookLane } from "../../server";

/** The lane's action: the app's authentication, then 200 (or the answer authentication gave). */
export async function authenticateOnly({ request }: ActionFunctionArgs): Promise<Response> {
  const verified = await verifyWebhook(request);
  return verified.ok ? new Response(null, { status: 200 }) : verified.response;
}

/** POSTs to /webhooks/orders/paid through the app's lane to `authenticateOnly`; anything else 404. */
export function createAuthenticateOnlyServer(): http.Server {
  const onError = (error: unknown) => console.error("authenticate-only action failed", error);
  return http.createServer(
    webhookLane(new Map([["/webhooks/orders/paid", authenticateOnly]]), onError, (_req, res) => {
      res.writeHead(404, { "content-length": "0" });
      res.end();
    }),
  );
}

function main(): void {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || !process.env.DATABASE_URL) {
    console.error("authenticate-only-server needs PORT, DATABASE_URL and the app's environment");
    process.exit(2);
  }
  // As server.ts's main does (there, before the app's build is loaded).
  installGlobals({ nativeFetch: true });
  const server = createAuthenticateOnlyServer();
  server.listen(port, "127.0.0.1", () =>
    console.log(`authenticate-only lane on http://127.0.0.1:${port}/webhooks/orders/paid`),
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => server.close(() => process.exit(0)));
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) main();
