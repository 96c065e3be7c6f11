import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { logger as rootLogger, type Logger } from "../logger.server";
import { metricsRegistry } from "./metrics.server";
import { registerOrderGauges } from "./order-gauges.server";
import { checkReadiness, type ReadinessOptions } from "./readiness.server";
import { opsSettings, type OpsSettings } from "./settings.server";

export interface OpsEndpointsOptions {
  /** web: /healthz, /readyz and /metrics with the database's gauges; worker: /metrics alone. */
  role: "web" | "worker";
  /** Read from the environment unless given. */
  settings?: OpsSettings;
  /** Tests: another database or migrations folder for /readyz. */
  readiness?: Omit<ReadinessOptions, "staleAfterMs">;
}

/** Answers the request and returns true when it is one of the endpoints; false leaves it to the caller. */
export type OpsEndpoints = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/**
 * The operations endpoints (docs/operations.md), answered before Express and
 * Remix: probes every few seconds need none of their middleware (logs,
 * compression, sessions). /healthz and /readyz are open, and say nothing
 * but which check failed; /metrics asks for METRICS_TOKEN as a bearer token.
 */
export function opsEndpoints(options: OpsEndpointsOptions): OpsEndpoints {
  const settings = options.settings ?? opsSettings();
  const registry = metricsRegistry({ withDefaults: true });
  if (options.role === "web") registerOrderGauges(registry, settings.WORKER_STALE_AFTER_MS);
  const token = settings.METRICS_TOKEN ? digest(settings.METRICS_TOKEN) : null;
  const web = options.role === "web";

  return (req, res) => {
    const end = req.url?.indexOf("?") ?? -1;
    const path = end === -1 ? req.url : req.url!.slice(0, end);
    if (path === "/metrics") {
      // Without a token configured, there is nothing here.
      if (!token) return answer(req, res, 404, "Not found");
      if (!bearerMatches(req.headers.authorization, token)) {
        return answer(req, res, 401, "Unauthorized", { "www-authenticate": 'Bearer realm="metrics"' });
      }
      if (!isRead(req)) return notAllowed(req, res);
      registry.metrics().then(
        (text) => answer(req, res, 200, text, { "content-type": registry.contentType }),
        (error: unknown) => {
          rootLogger.error({ err: error }, "metrics could not be collected");
          answer(req, res, 500, "Metrics could not be collected");
        },
      );
      return true;
    }
    if (web && path === "/healthz") return isRead(req) ? answer(req, res, 200, "ok") : notAllowed(req, res);
    if (web && path === "/readyz") {
      if (!isRead(req)) return notAllowed(req, res);
      checkReadiness({ ...options.readiness, staleAfterMs: settings.WORKER_STALE_AFTER_MS }).then(
        (readiness) =>
          answer(req, res, readiness.ready ? 200 : 503, JSON.stringify(readiness), {
            "content-type": "application/json; charset=utf-8",
          }),
        (error: unknown) => {
          rootLogger.error({ err: error }, "readiness could not be checked");
          answer(req, res, 503, JSON.stringify({ ready: false, failed: ["readiness"] }), {
            "content-type": "application/json; charset=utf-8",
          });
        },
      );
      return true;
    }
    return false;
  };
}

/**
 * The worker's optional listener on WORKER_METRICS_PORT for /metrics (same
 * token rule); null when the port is not set. One that cannot listen is
 * logged, not fatal: orders matter more than their metrics.
 */
export async function serveWorkerMetrics(
  settings: OpsSettings = opsSettings(),
  log: Logger = rootLogger,
): Promise<http.Server | null> {
  const port = settings.WORKER_METRICS_PORT;
  if (port === undefined) return null;
  if (!settings.METRICS_TOKEN)
    log.warn("WORKER_METRICS_PORT is set but METRICS_TOKEN is not: /metrics answers 404");
  const endpoints = opsEndpoints({ role: "worker", settings });
  const server = http.createServer({ requestTimeout: 10_000 }, (req, res) => {
    if (!endpoints(req, res)) answer(req, res, 404, "Not found");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    log.error({ err: error, port }, "worker metrics listener could not start");
    return null;
  }
  // Never what keeps the worker's process alive.
  server.unref();
  log.info({ port: (server.address() as AddressInfo).port }, "worker metrics listening");
  return server;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Compared as digests, so the time taken says nothing of the token, its length included. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function isRead(req: http.IncomingMessage): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

function notAllowed(req: http.IncomingMessage, res: http.ServerResponse): true {
  // A body sent along is never read: the connection closes behind the answer.
  return answer(req, res, 405, "Method not allowed", { allow: "GET, HEAD", connection: "close" });
}

function answer(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
