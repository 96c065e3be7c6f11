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
 *
 * No body is held in memory unbounded, authenticated or not: each path has a
 * size limit (app/body-limits.ts) checked before and while a body is
 * read, webhook bodies in memory have a total, and a request must arrive
 * whole within REQUEST_TIMEOUT_MS (408).
 */
import http from "node:http";
import type { Socket } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import { installGlobals, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

import { bodyLimitFor, WEBHOOK_BODY_LIMIT_BYTES } from "./app/body-limits";
import { env } from "./app/env.server";
import { withRawBody } from "./app/integrations/webhook-raw-body";
import { closeDatabase } from "./app/ops/close-database.server";
import { stopWebServer } from "./app/ops/web-stop.server";
import { opsEndpoints } from "./app/ops/endpoints.server";
import { countWebhookAnswer } from "./app/ops/metrics.server";

export { WEBHOOK_BODY_LIMIT_BYTES };

/**
 * How long a request may take to arrive, headers and body: a client that
 * trickles its body, or never sends its last byte, is answered 408 and
 * disconnected after this (Node's `requestTimeout`), so a slow upload holds
 * its bytes for a bounded time. `HTTP_REQUEST_TIMEOUT_MS` overrides it.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Webhook bodies held in memory at once, all connections together. Each body
 * is buffered whole before its signature can be checked, so without a total
 * a few hundred connections each sending just under the per-body limit would
 * hold gigabytes. Past it a webhook is answered 503 (Shopify delivers it
 * again); real traffic holds a few megabytes (bodies of a few kilobytes).
 */
export const WEBHOOK_BODIES_IN_MEMORY_BYTES = 64 * 1024 * 1024;

type Action = NonNullable<ServerBuild["routes"][string]["module"]["action"]>;
type Loader = NonNullable<ServerBuild["routes"][string]["module"]["loader"]>;

/** `/webhooks/orders/paid` → that route's action, for every webhook resource route of the build. */
export function webhookActions(build: ServerBuild): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const [path, route] of webhookRoutes(build)) actions.set(path, route.action);
  return actions;
}

/** `/webhooks/orders/paid` → that route's loader (what answers other methods than POST), where it has one. */
export function webhookLoaders(build: ServerBuild): Map<string, Loader> {
  const loaders = new Map<string, Loader>();
  for (const [path, route] of webhookRoutes(build)) if (route.loader) loaders.set(path, route.loader);
  return loaders;
}

function webhookRoutes(build: ServerBuild): Map<string, { action: Action; loader?: Loader }> {
  const routes = new Map<string, { action: Action; loader?: Loader }>();
  for (const route of Object.values(build.routes)) {
    const path = route.path?.toLowerCase();
    if (!path?.startsWith("webhooks/") || /[:*$]/.test(path)) continue;
    const { action, loader, default: component } = route.module;
    if (action && !component) routes.set(`/${path.replace(/\/+$/, "")}`, { action, loader });
  }
  return routes;
}

/** The webhook route path (a key of `actions`) this URL names, any method, as Remix matches paths. */
function webhookPathOf(actions: Map<string, Action>, req: http.IncomingMessage): string | undefined {
  if (req.url?.slice(0, 10).toLowerCase() !== "/webhooks/") return undefined;
  const end = req.url.indexOf("?");
  const path = (end === -1 ? req.url : req.url.slice(0, end)).replace(/\/+$/, "").toLowerCase();
  return actions.has(path) ? path : undefined;
}

/**
 * How many webhooks may start their CPU-heavy part (the signature, the body's
 * checks, the durable write's submission) in one turn of the event loop.
 * Node accepts one new connection per turn; when every turn ran the
 * requests of all busy keep-alive connections, a burst of new connections
 * waited seconds in the kernel's accept queue (docs/performance.md).
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
 * The lane's total of webhook bodies in memory (WEBHOOK_BODIES_IN_MEMORY_BYTES):
 * a body's bytes are counted in as they arrive, and out once its webhook is answered.
 */
export class BodyBudget {
  private held = 0;
  constructor(readonly limit: number) {}
  /** Counts `bytes` in, unless that would pass the limit. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }
  give(bytes: number): void {
    this.held -= bytes;
  }
  inUse(): number {
    return this.held;
  }
}

export interface WebhookLimits {
  /** The largest body a webhook may have. */
  bodyBytes: number;
  /** Shared by every webhook of a lane. */
  budget: BodyBudget;
}

function defaultWebhookLimits(bodiesInMemoryBytes = WEBHOOK_BODIES_IN_MEMORY_BYTES): WebhookLimits {
  return { bodyBytes: WEBHOOK_BODY_LIMIT_BYTES, budget: new BodyBudget(bodiesInMemoryBytes) };
}

/** Host and Content-Length from the raw headers: `req.headers` would build an object of them all first. */
function headOf(req: http.IncomingMessage): { host: string; contentLength: number } {
  let host = "localhost";
  let contentLength = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === "host") host = req.rawHeaders[i + 1]!;
    else if (name.length === 14 && name.toLowerCase() === "content-length")
      contentLength = Number(req.rawHeaders[i + 1]);
  }
  return { host, contentLength };
}

/**
 * Reads the body (within `limits`), calls the route's action, writes its
 * Response. `onError` is told of anything the action throws that is not a
 * Response (the answer is then a 500): the build's `handleError`, in the app.
 * A body over the limit is answered 413 (at once, unread, when its
 * Content-Length says so); one that finds the lane's total full, 503; either
 * way the connection closes after the answer and nothing reaches the route.
 */
export async function serveWebhook(
  onError: (error: unknown, request: Request) => void,
  action: Action,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  turns: { enter(): Promise<void> } = { enter: () => Promise.resolve() },
  limits: WebhookLimits = defaultWebhookLimits(),
): Promise<void> {
  const { host, contentLength } = headOf(req);
  if (contentLength > limits.bodyBytes) return refuse(res, 413, "Payload too large");
  let held = 0;
  try {
    const body = await readBody(req, limits.bodyBytes, (bytes) => {
      if (!limits.budget.take(bytes)) return false;
      held += bytes;
      return true;
    });
    if (body === "too large") return refuse(res, 413, "Payload too large");
    // Shopify delivers a webhook again after any answer but a 2xx.
    if (body === "no room") return refuse(res, 503, "Busy, deliver it again", { "retry-after": "5" });
    if (body === "aborted") return;
    await turns.enter();

    let request: Request;
    try {
      request = withRawBody(
        new Request(`http://${host}${req.url}`, {
          method: "POST",
          headers: webhookHeaders(req.rawHeaders),
          body: new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength),
        }),
        body.toString("utf8"),
      );
    } catch {
      return await answer(res, new Response("Bad request", { status: 400 }));
    }

    const response = await responseOf(
      () => action({ request, params: {}, context: {} }),
      (result) => (result instanceof Response ? result : new Response(null, { status: 204 })),
      (thrown) => onError(thrown, request),
    );
    await answer(res, response);
  } finally {
    limits.budget.give(held);
  }
}

/**
 * The whole body, or why not: past `limit` bytes, refused by `room` (the
 * lane's total), or the client gone (a timeout's 408 included). After a
 * refusal nothing more is kept: the rest is dropped as it comes until the
 * connection closes behind the answer.
 */
function readBody(
  req: http.IncomingMessage,
  limit: number,
  room: (bytes: number) => boolean,
): Promise<Buffer | "too large" | "no room" | "aborted"> {
  return new Promise((done) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: Buffer | "too large" | "no room" | "aborted") => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      done(outcome);
    };
    const refused = (why: "too large" | "no room") => {
      chunks = [];
      finish(why);
      req.resume();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) refused("too large");
      else if (!room(chunk.length)) refused("no room");
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onGone = () => finish("aborted");
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("close", onGone);
  });
}

/**
 * Webhooks are POSTs: any other method on a webhook URL goes to the route's
 * loader (405 with `Allow: POST`, logged by the app at debug level, as it is
 * under Remix), or, for a route without one or a method no Request can carry
 * (CONNECT, TRACE), gets that 405 here. Its body, if any, is never read.
 */
async function notAPost(
  onError: (error: unknown, request: Request) => void,
  loader: Loader | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  let request: Request | undefined;
  try {
    request = new Request(`http://${headOf(req).host}${req.url}`, { method: req.method });
  } catch {
    request = undefined;
  }
  if (!loader || !request) return refuse(res, 405, "Method not allowed", { allow: "POST" }, false);
  const response = await responseOf(
    () => loader({ request, params: {}, context: {} }),
    (result) => (result instanceof Response ? result : Response.json(result)),
    (thrown) => onError(thrown, request),
  );
  await answer(res, response);
}

/**
 * The headers a webhook is read by: Shopify's own and the content type. The
 * library looks each of its headers up by canonicalising every name the
 * request has, so the hop-by-hop and proxy headers a delivery also carries
 * would cost it time for nothing (decision 011).
 */
function webhookHeaders(rawHeaders: readonly string[]): Headers {
  const kept = new Headers();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name.startsWith("x-shopify-") || name === "content-type") kept.append(name, rawHeaders[i + 1]!);
  }
  return kept;
}

/** A route function's answer as Remix gives it: a thrown Response is the answer, anything else thrown a 500. */
async function responseOf(
  call: () => unknown,
  toResponse: (result: unknown) => Response,
  onError: (thrown: unknown) => void,
): Promise<Response> {
  try {
    return toResponse(await call());
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    onError(thrown);
    return new Response("Unexpected Server Error", { status: 500 });
  }
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
 * How long a refused upload's connection stays half open after the answer:
 * closing at once with the client's bytes unread makes the kernel reset the
 * connection, and a client still sending would lose the answer with it.
 */
export const LINGER_MS = 2_000;

/**
 * An answer of the server's own, before the route or instead of it. With
 * `close`, the connection closes once it is sent (lingering, LINGER_MS), so a
 * body left unread is never kept. Once an answer has begun, the connection
 * is cut instead.
 */
function refuse(
  res: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
  close = true,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (close && res.socket) closeLingering(res.socket);
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...(close ? { connection: "close" } : {}),
    ...headers,
  });
  res.end(text);
}

/**
 * Node ends a `Connection: close` answer's socket with `destroySoon()` once
 * the answer is written, a reset when the client is still sending. Here it
 * becomes a half close instead: reading stops (what the client still sends
 * waits in the kernel's buffers, not the process's memory), the client reads
 * the answer and its end, and the socket is closed LINGER_MS later.
 */
function closeLingering(socket: Socket): void {
  socket.destroySoon = () => {
    socket.pause();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once("close", () => clearTimeout(timer));
  };
}

/**
 * The webhook lane as a request listener: a POST whose URL is one of
 * `actions`' goes to its action (`serveWebhook`, its turns and its total of
 * bodies in memory shared by all), any other method on such a URL to its
 * loader (`loaders`, 405), and a failure of the lane itself is a 500;
 * anything else goes to `otherwise`.
 */
export function webhookLane(
  actions: Map<string, Action>,
  onError: (error: unknown, request: Request) => void,
  otherwise: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  options: { loaders?: Map<string, Loader>; limits?: WebhookLimits } = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const turns = turnstile(WEBHOOKS_PER_TURN);
  const limits = options.limits ?? defaultWebhookLimits();
  const loaders = options.loaders ?? new Map<string, Loader>();
  return (req, res) => {
    const path = webhookPathOf(actions, req);
    if (path === undefined) return otherwise(req, res);
    const served =
      req.method === "POST"
        ? serveWebhook(onError, actions.get(path)!, req, res, turns, limits)
        : notAPost(onError, loaders.get(path), req, res);
    served.then(
      () => countWebhookAnswer(path, res),
      (error: unknown) => {
        console.error("webhook lane failed", error);
        if (!res.headersSent) res.writeHead(500, { "content-length": "0" });
        res.end();
        countWebhookAnswer(path, res);
      },
    );
  };
}

/**
 * Requests whose body was cut off for its size, and the error their route's
 * reader got: answered 413 already, so what Remix makes of them afterwards
 * (the route's failure, its attempt to answer) is the client's doing, not
 * an error of the app's to log.
 */
const cutOff = new WeakSet<object>();

/**
 * Bounds every body Remix may read (webhooks are bounded by their lane): a
 * declared Content-Length over the path's limit (`bodyLimitFor`) is answered
 * 413 at once, unread; a body that streams past it is answered 413 and the
 * request destroyed with an error, so a route reading it fails rather than
 * take a cut-off body for the whole.
 */
export function limitRequestBodies(
  limitFor: (path: string) => number = bodyLimitFor,
): express.RequestHandler {
  return (req, res, next) => {
    const limit = limitFor(req.path);
    if (Number(req.headers["content-length"] ?? 0) > limit) return refuse(res, 413, "Payload too large");
    // Remix never reads the body of a GET or HEAD; Node drops it after the answer.
    if (req.method === "GET" || req.method === "HEAD") return next();
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return;
      req.off("data", count);
      refuse(res, 413, "Payload too large");
      // Only a chunked body can get here (a declared length was checked above,
      // and browsers send none). The route's reader (Remix's body stream
      // listens for "error") fails now, so the body never passes for whole.
      // The request is not destroyed: that would reset the socket while the
      // client still sends, and the 413 would be lost; refuse() closes it
      // once the answer is written, and what still arrives is dropped.
      const error = new Error("request body over its limit");
      cutOff.add(req);
      cutOff.add(error);
      if (req.listenerCount("error") > 0) req.emit("error", error);
    };
    req.on("data", count);
    // Listening alone must not start the flow (data nobody reads would be lost): the route's reader starts it.
    req.pause();
    res.once("finish", () => {
      // Answered without reading it all: the rest is dropped as it comes, still
      // counted, so the connection can take its next request.
      if (req.complete || req.destroyed) return;
      req.removeAllListeners("data");
      req.on("data", count);
      req.resume();
    });
    next();
  };
}

export interface AppServerOptions {
  /** Node's `requestTimeout`: REQUEST_TIMEOUT_MS unless given. */
  requestTimeoutMs?: number;
  /** The webhook lane's total of bodies in memory: WEBHOOK_BODIES_IN_MEMORY_BYTES unless given. */
  webhookBodiesInMemoryBytes?: number;
}

/** The whole server: Remix behind Express as remix-serve runs it, webhook POSTs in their lane. */
export function createAppServer(
  build: ServerBuild,
  mode = process.env.NODE_ENV ?? "production",
  options: AppServerOptions = {},
): http.Server {
  const app = express();
  app.disable("x-powered-by");
  app.use(limitRequestBodies());
  app.use(compression());
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(morgan("tiny"));
  const handleError = build.entry.module.handleError;
  const quiet: ServerBuild = {
    ...build,
    entry: {
      ...build.entry,
      module: {
        ...build.entry.module,
        handleError: (error, args) => (cutOff.has(error as object) ? undefined : handleError?.(error, args)),
      },
    },
  };
  app.all("*", createRequestHandler({ build: quiet, mode }));
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!cutOff.has(req)) return next(error);
    res.destroy();
  });

  const onError = (error: unknown, request: Request) =>
    build.entry.module.handleError?.(error, { request, params: {}, context: {} });
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // /healthz, /readyz, /metrics: before Express, after the webhook lane (docs/operations.md).
  const ops = opsEndpoints({ role: "web" });
  return http.createServer(
    // Node looks for requests over their time once per interval (30 s unless told).
    { requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) },
    webhookLane(webhookActions(build), onError, (req, res) => void (ops(req, res) || app(req, res)), {
      loaders: webhookLoaders(build),
      limits: defaultWebhookLimits(options.webhookBodiesInMemoryBytes),
    }),
  );
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
  options: AppServerOptions = {},
): Promise<http.Server> {
  const { warmUp } = build.entry.module as { warmUp?: () => Promise<void> };
  await warmUp?.().catch((error: unknown) => console.error("warm-up failed; serving anyway", error));
  const server = createAppServer(build, undefined, options);
  await new Promise<void>((resolve) => {
    if (listen.host) server.listen(listen.port, listen.host, resolve);
    else server.listen(listen.port, resolve);
  });
  return server;
}

/** HTTP_REQUEST_TIMEOUT_MS, checked: a positive whole number of milliseconds. */
function requestTimeoutFromEnv(): number {
  const value = process.env.HTTP_REQUEST_TIMEOUT_MS;
  if (value === undefined || value === "") return REQUEST_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(
      `HTTP_REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds, not "${value}"`,
    );
  }
  return ms;
}

async function main(): Promise<void> {
  process.env.NODE_ENV = process.env.NODE_ENV ?? "production";
  const requestTimeoutMs = requestTimeoutFromEnv();
  const graceMs = env().SHUTDOWN_GRACE_MS;
  // The app's own fetch, Request and Response are Node's (as in development: vite.config.ts).
  installGlobals({ nativeFetch: true });
  const buildPath = resolve(process.argv[2] ?? "build/server/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST;
  const server = await startAppServer(build, { port, host }, { requestTimeoutMs });
  console.log(`[brilliant-sync] http://${host ?? "localhost"}:${port}`);
  // The build holds its own database client (its modules are bundled): it closes it if its entry says how.
  const { shutDown } = build.entry.module as { shutDown?: () => Promise<void> };
  let stopping: Promise<void> | undefined;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping ??= stopWebServer(server, {
        graceMs,
        closers: [closeDatabase, ...(shutDown ? [shutDown] : [])],
      })
        .catch((error: unknown) => console.error("stopping failed", error))
        .finally(() => process.exit(0));
    });
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) {
  await main();
}
