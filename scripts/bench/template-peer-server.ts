/**
 * The benchmark's fourth ingest contender: the peer a user would otherwise
 * write. What a developer starting from Shopify's app template writes for
 * orders/paid, minus Remix (Remix would only call the route's action and
 * send back its Response; leaving it out is in the peer's favour):
 *
 * - `shopify.server.ts`: a plain `shopifyApp({...})` (the template's config:
 *   key, secret, scopes, app URL, `/auth`, App Store distribution, the new
 *   embedded auth strategy) with the standard `PrismaSessionStorage` from
 *   `@shopify/shopify-app-session-storage-prisma`, the library unpatched;
 * - `db.server.ts`: a plain `new PrismaClient(...)` on the database file
 *   DATABASE_URL names, through Prisma's stock SQLite driver adapter (this
 *   project's generated client needs one) with its defaults;
 * - the route: `authenticate.webhook(request)`, then ONE Prisma insert of the
 *   order, awaited, then 200; a Response thrown by `authenticate.webhook`
 *   (401 for a bad signature, 400, 405) is the answer, as Remix would send it;
 * - the server: `node:http`, the body read whole into a `Request`.
 *
 * Its database is a file of its own (the bench gives it a copy of the
 * migrated, seeded template: the same Session rows as the app's). The
 * order goes into a table the peer creates itself (`CREATE TABLE IF NOT
 * EXISTS`, not a model of the app's schema). The file keeps the journal mode
 * it was made with (WAL: the bench's template is made by the app) and
 * SQLite's default synchronous=FULL; a template's own `dev.sqlite` would be
 * in rollback-journal mode, slower to commit, so this too is in the peer's
 * favour.
 *
 * `npm run bench` runs it in its own process, from source, through the same
 * start-up as the app (flags, environment):
 *   PORT=… DATABASE_URL=file:… SHOPIFY_API_KEY=… SHOPIFY_API_SECRET=… SHOPIFY_APP_URL=… \
 *     node --import tsx scripts/bench/template-peer-server.ts
 */
import "@shopify/shopify-app-remix/adapters/node";

import http from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";

/** The peer's own table: one row per orders/paid webhook it acknowledged. */
export const PEER_ORDERS_TABLE = "TemplatePeerOrder";

export interface TemplatePeerConfig {
  /** `file:/path/to/peer.sqlite`: a database of the peer's own, with Prisma's Session table. */
  databaseUrl: string;
  apiKey: string;
  apiSecretKey: string;
  appUrl: string;
  scopes?: string[];
}

export interface TemplatePeer {
  server: http.Server;
  prisma: PrismaClient;
  /** Stops listening (if it listens) and disconnects Prisma. */
  close(): Promise<void>;
}

/**
 * The peer, ready to listen: its Prisma client, its `shopifyApp`, its table
 * (created if missing), and a `node:http` server whose only route is
 * POST /webhooks/orders/paid (anything else 404).
 */
export async function createTemplatePeer(config: TemplatePeerConfig): Promise<TemplatePeer> {
  // db.server.ts
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: config.databaseUrl }) });

  // shopify.server.ts
  const shopify = shopifyApp({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecretKey,
    apiVersion: ApiVersion.October25,
    scopes: config.scopes,
    appUrl: config.appUrl,
    authPathPrefix: "/auth",
    sessionStorage: new PrismaSessionStorage(prisma),
    distribution: AppDistribution.AppStore,
    future: { unstable_newEmbeddedAuthStrategy: true },
  });

  await prisma.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS "${PEER_ORDERS_TABLE}" (
       "id" INTEGER PRIMARY KEY,
       "shop" TEXT NOT NULL,
       "shopifyOrderId" TEXT NOT NULL,
       "webhookId" TEXT NOT NULL,
       "payload" TEXT NOT NULL,
       "createdAt" TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
     )`,
  );

  // routes/webhooks.orders.paid.tsx
  async function action({ request }: { request: Request }): Promise<Response> {
    const { shop, webhookId, payload } = await shopify.authenticate.webhook(request);
    const order = payload as { id: number | string };
    await prisma.$executeRaw`INSERT INTO "TemplatePeerOrder" ("shop", "shopifyOrderId", "webhookId", "payload")
      VALUES (${shop}, ${String(order.id)}, ${webhookId}, ${JSON.stringify(payload)})`;
    return new Response();
  }

  // The server: what Remix's request handler would do for this resource route.
  const server = http.createServer((req, res) => {
    const answer = (status: number) => {
      res.writeHead(status, { "content-length": "0" });
      res.end();
    };
    if (req.method !== "POST" || req.url?.split("?")[0] !== "/webhooks/orders/paid") {
      req.resume();
      answer(404);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      }
      const request = new Request(new URL(req.url!, `http://${req.headers.host ?? "localhost"}`), {
        method: "POST",
        headers,
        body: Buffer.concat(chunks),
      });
      action({ request }).then(
        (response) => answer(response.status),
        (thrown: unknown) => {
          if (thrown instanceof Response) return answer(thrown.status);
          console.error("template peer: orders/paid failed", thrown);
          answer(500);
        },
      );
    });
  });

  return {
    server,
    prisma,
    close: async () => {
      if (server.listening) await new Promise((done) => server.close(done));
      await prisma.$disconnect();
    },
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const { DATABASE_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL } = process.env;
  if (!Number.isInteger(port) || port <= 0 || !DATABASE_URL?.startsWith("file:") || !SHOPIFY_API_SECRET) {
    console.error(
      "template-peer-server needs PORT, DATABASE_URL (file:…), SHOPIFY_API_KEY, SHOPIFY_API_SECRET and SHOPIFY_APP_URL",
    );
    process.exit(2);
  }
  const peer = await createTemplatePeer({
    databaseUrl: DATABASE_URL,
    apiKey: SHOPIFY_API_KEY ?? "",
    apiSecretKey: SHOPIFY_API_SECRET,
    appUrl: SHOPIFY_APP_URL ?? "",
    scopes: process.env.SCOPES?.split(","),
  });
  peer.server.listen(port, "127.0.0.1", () =>
    console.log(`template peer on http://127.0.0.1:${port}/webhooks/orders/paid`),
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => void peer.close().then(() => process.exit(0)));
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) void main();
