/**
 * The local admin preview: the app's embedded pages in an ordinary browser,
 * with no Shopify. A small proxy in front of the running app plays the part
 * of Shopify's admin for one seeded shop:
 *   - a page load (document request) under /app gets the query parameters the
 *     admin adds to the iframe's URL (embedded=1, shop, host, id_token with a
 *     freshly minted session token);
 *   - HTML answers load the App Bridge stand-in (./app-bridge.ts) instead of
 *     Shopify's CDN script; the stand-in adds `Authorization: Bearer` to the
 *     page's own fetches, with tokens from /__preview/session-token;
 *   - everything else passes through unchanged.
 * Development and tests only: `npm run preview` and tests/e2e/harness.ts.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { appBridgeStandInScript } from "./app-bridge";
import { adminHost, mintSessionToken } from "./session-token";

export const APP_BRIDGE_CDN_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const STAND_IN_SCRIPT_PATH = "/__preview/app-bridge.js";
export const TOKEN_PATH = "/__preview/session-token";
/** Polaris' Inter font stylesheet: also on Shopify's CDN; the preview answers it empty (system fonts). */
export const FONTS_CDN_URL = "https://cdn.shopify.com/static/fonts/inter/v4/styles.css";
export const FONTS_PATH = "/__preview/fonts.css";

/** Points the CDN's URLs at the preview's own answers. */
function rewriteCdnUrls(text: string): string {
  return text.replaceAll(APP_BRIDGE_CDN_URL, STAND_IN_SCRIPT_PATH).replaceAll(FONTS_CDN_URL, FONTS_PATH);
}

export interface AdminPreviewOptions {
  /** The running app, e.g. http://127.0.0.1:3000. */
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningAdminPreview {
  /** The preview's origin: open `${url}/app`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

function isPageLoad(request: IncomingMessage, url: URL): boolean {
  return (
    request.method === "GET" &&
    !request.headers.authorization &&
    !url.searchParams.has("_data") &&
    (url.pathname === "/app" || url.pathname.startsWith("/app/"))
  );
}

export async function startAdminPreview(options: AdminPreviewOptions): Promise<RunningAdminPreview> {
  const upstream = new URL(options.appUrl);
  const token = () =>
    mintSessionToken({ shop: options.shop, apiKey: options.apiKey, apiSecret: options.apiSecret });
  let origin = "";

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://preview.invalid");
      if (url.pathname === STAND_IN_SCRIPT_PATH) {
        response.writeHead(200, {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "no-store",
        });
        response.end(
          appBridgeStandInScript({
            apiKey: options.apiKey,
            shop: options.shop,
            host: adminHost(options.shop),
            tokenPath: TOKEN_PATH,
          }),
        );
        return;
      }
      if (url.pathname === FONTS_PATH) {
        response.writeHead(200, { "content-type": "text/css", "cache-control": "no-store" });
        response.end("/* Inter is not available offline: system fonts. */\n");
        return;
      }
      if (url.pathname === TOKEN_PATH) {
        const minted = await token();
        const payload = JSON.parse(Buffer.from(minted.split(".")[1]!, "base64url").toString("utf8")) as {
          exp: number;
        };
        response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        response.end(JSON.stringify({ token: minted, exp: payload.exp }));
        return;
      }
      if (url.pathname === "/" && request.method === "GET") {
        response.writeHead(302, { location: "/app" });
        response.end();
        return;
      }
      if (isPageLoad(request, url)) {
        url.searchParams.set("embedded", "1");
        url.searchParams.set("shop", options.shop);
        url.searchParams.set("host", adminHost(options.shop));
        url.searchParams.set("id_token", await token());
      }
      const headers = { ...request.headers, host: upstream.host };
      // HTML is rewritten below: ask for it uncompressed.
      delete headers["accept-encoding"];
      const forward = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers,
        },
        (answer) => {
          const answerHeaders = { ...answer.headers };
          if (
            typeof answerHeaders.location === "string" &&
            answerHeaders.location.startsWith(upstream.origin)
          ) {
            answerHeaders.location = origin + answerHeaders.location.slice(upstream.origin.length);
          }
          if (typeof answerHeaders.link === "string") answerHeaders.link = rewriteCdnUrls(answerHeaders.link);
          if (!String(answer.headers["content-type"] ?? "").includes("text/html")) {
            response.writeHead(answer.statusCode ?? 502, answerHeaders);
            answer.pipe(response);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => {
            const html = rewriteCdnUrls(Buffer.concat(chunks).toString("utf8"));
            delete answerHeaders["content-length"];
            delete answerHeaders["transfer-encoding"];
            response.writeHead(answer.statusCode ?? 502, {
              ...answerHeaders,
              "content-length": Buffer.byteLength(html),
            });
            response.end(html);
          });
        },
      );
      forward.on("error", (error) => {
        if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
        response.end(`The app did not answer: ${error.message}`);
      });
      request.pipe(forward);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`Preview error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  origin = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url: origin,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
