/**
 * The production web server: `npm start` (and the demo, the benchmark and the
 * process-level tests) run `node --import tsx server.ts [build/server/index.js]`.
 *
 * Everything is served as `remix-serve` serves it (Express, compression,
 * static assets, morgan, Remix's request handler), except Shopify's webhook
 * POSTs, which take a lane of their own (decision 005): the webhook route's
 * own Remix `action` — `authenticate.webhook`, the body's checks, the durable
 * write — is called straight from `node:http`, without Express's middleware
 * and without Remix's per-request route matching, which together cost more
 * CPU than the route itself. Webhook routes are resource routes (an action,
 * no component), so Remix would do nothing more with them than call that
 * action and send back its Response; this lane does exactly that, errors
 * included (a thrown Response is the answer; anything else goes to the
 * build's `handleError` and is a 500).
 */
import http from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import { installGlobals, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

import { BufferedRequest } from "./app/services/buffered-request";

/** Larger webhook bodies are refused (413): Shopify's largest orders are far below this. */
export const WEBHOOK_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

type Action = NonNullable<ServerBuild["routes"][string]["module"]["action"]>;

/** `/webhooks/orders/paid` → that route's action, for every webhook resource route of the build. */
export function webhookActions(build: ServerBuild): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const route of Object.values(build.routes)) {
    const path = route.path?.toLowerCase();
    if (!path?.startsWith("webhooks/") || /[:*$]/.test(path)) continue;
    const { action, default: component } = route.module;
    if (action && !component) actions.set(`/${path.replace(/\/+$/, "")}`, action);
  }
  return actions;
}

/** The action a POST to this URL goes to, when it is a webhook route's. */
export function webhookActionFor(
  actions: Map<string, Action>,
  req: http.IncomingMessage,
): Action | undefined {
  if (req.method !== "POST" || req.url?.slice(0, 10).toLowerCase() !== "/webhooks/") return undefined;
  const end = req.url.indexOf("?");
  const path = (end === -1 ? req.url : req.url.slice(0, end)).replace(/\/+$/, "").toLowerCase();
  return actions.get(path);
}

/**
 * How many webhooks may start their CPU-heavy part (the signature, the body's
 * checks, the durable write's submission) in one turn of the event loop.
 * Node accepts one new connection per turn; when every turn ran the
 * requests of all busy keep-alive connections, a burst of new connections
 * waited seconds in the kernel's accept queue (docs/benchmarks.md, session 5).
 */
export const WEBHOOKS_PER_TURN = 8;

/**
 * A turnstile of turns of the event loop: `enter()` resolves at once for the
 * first `perTurn` callers of a turn, and the others, in order, `perTurn` per
 * later turn (released from `setImmediate`, so a turn's poll phase, and with
 * it accepting connections and reading sockets, comes round between them).
 */
export function turnstile(perTurn: number): { enter(): Promise<void>; waiting(): number } {
  let entered = 0;
  let scheduled = false;
  const queue: Array<() => void> = [];
  const nextTurn = () => {
    scheduled = false;
    entered = 0;
    while (queue.length > 0 && entered < perTurn) {
      entered += 1;
      queue.shift()!();
    }
    if (queue.length > 0 || entered > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };
  return {
    enter() {
      schedule();
      if (entered < perTurn && queue.length === 0) {
        entered += 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => queue.push(resolve));
    },
    waiting: () => queue.length,
  };
}

/**
 * Reads the body (up to the limit), calls the route's action, writes its
 * Response. `onError` is told of anything the action throws that is not a
 * Response (the answer is then a 500): the build's `handleError`, in the app.
 */
export async function serveWebhook(
  onError: (error: unknown, request: Request) => void,
  action: Action,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  turns: { enter(): Promise<void> } = { enter: () => Promise.resolve() },
): Promise<void> {
  const body = await readBody(req);
  if (body === "too large") return answer(res, new Response("Payload too large", { status: 413 }));
  if (body === "aborted") return;
  await turns.enter();

  // From the raw headers: `req.headers` would build an object of them all first.
  let host = "localhost";
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === "host") host = req.rawHeaders[i + 1]!;
  }
  let request: Request;
  try {
    // Its body is already in memory: the action reads it from there, as often as it needs.
    request = new BufferedRequest(`http://${host}${req.url}`, req.rawHeaders, body);
  } catch {
    return answer(res, new Response("Bad request", { status: 400 }));
  }

  let response: Response;
  try {
    const result: unknown = await action({ request, params: {}, context: {} });
    response = result instanceof Response ? result : new Response(null, { status: 204 });
  } catch (thrown) {
    if (thrown instanceof Response) {
      response = thrown;
    } else {
      onError(thrown, request);
      response = new Response("Unexpected Server Error", { status: 500 });
    }
  }
  await answer(res, response);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | "too large" | "aborted"> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        done("too large");
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => done(size > WEBHOOK_BODY_LIMIT_BYTES ? "too large" : Buffer.concat(chunks, size)));
    req.on("error", () => done("aborted"));
  });
}

async function answer(res: http.ServerResponse, response: Response): Promise<void> {
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  headers["content-length"] = String(body?.length ?? 0);
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body);
}

/**
 * The webhook lane as a request listener: a POST whose URL is one of
 * `actions`' goes to its action (`serveWebhook`, its turns shared by all),
 * and a failure of the lane itself is a 500; anything else goes to
 * `otherwise`.
 */
export function webhookLane(
  actions: Map<string, Action>,
  onError: (error: unknown, request: Request) => void,
  otherwise: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const turns = turnstile(WEBHOOKS_PER_TURN);
  return (req, res) => {
    const action = webhookActionFor(actions, req);
    if (!action) return otherwise(req, res);
    serveWebhook(onError, action, req, res, turns).catch((error: unknown) => {
      console.error("webhook lane failed", error);
      if (!res.headersSent) res.writeHead(500, { "content-length": "0" });
      res.end();
    });
  };
}

/** The whole server: Remix behind Express as remix-serve runs it, webhook POSTs in their lane. */
export function createAppServer(
  build: ServerBuild,
  mode = process.env.NODE_ENV ?? "production",
): http.Server {
  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(morgan("tiny"));
  app.all("*", createRequestHandler({ build, mode }));

  const onError = (error: unknown, request: Request) =>
    build.entry.module.handleError?.(error, { request, params: {}, context: {} });
  return http.createServer(webhookLane(webhookActions(build), onError, (req, res) => void app(req, res)));
}

/**
 * Runs the app's own warm-up (`warmUp` of app/entry.server.tsx) and only then
 * listens: the first requests after a restart do not wait on the database
 * being opened. A warm-up that fails is logged, not fatal (a database not
 * reachable yet): requests fail meanwhile and Shopify delivers them again.
 */
export async function startAppServer(
  build: ServerBuild,
  listen: { port: number; host?: string },
): Promise<http.Server> {
  const { warmUp } = build.entry.module as { warmUp?: () => Promise<void> };
  await warmUp?.().catch((error: unknown) => console.error("warm-up failed; serving anyway", error));
  const server = createAppServer(build);
  await new Promise<void>((resolve) => {
    if (listen.host) server.listen(listen.port, listen.host, resolve);
    else server.listen(listen.port, resolve);
  });
  return server;
}

async function main(): Promise<void> {
  process.env.NODE_ENV = process.env.NODE_ENV ?? "production";
  // The app's own fetch, Request and Response are Node's (as in development: vite.config.ts).
  installGlobals({ nativeFetch: true });
  const buildPath = resolve(process.argv[2] ?? "build/server/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST;
  const server = await startAppServer(build, { port, host });
  console.log(`[brilliant-sync] http://${host ?? "localhost"}:${port}`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => server.close((error) => error && console.error(error)));
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  await main();
}
