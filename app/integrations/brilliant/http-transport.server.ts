import http from "node:http";
import https from "node:https";

import { env } from "../../env.server";

/**
 * The Brilliant client's transport: one HTTP exchange, on `node:http` /
 * `node:https` with keep-alive agents. A worker makes at least one exchange
 * per order, so it is kept to what the client reads (the status,
 * Retry-After and the body's text): Node's `fetch` and fetch-shaped wrappers
 * cost several times the CPU per exchange (docs/performance.md).
 *
 * What the client and its classification (outcome.ts) rely on:
 * - redirects are never followed: a 3xx is the answer;
 * - `timeoutMs` bounds the whole exchange, body included; when it passes the
 *   promise rejects with a `TimeoutError` (a `DOMException`, as
 *   `AbortSignal.timeout` gives fetch) and the socket is destroyed;
 * - a network failure rejects with `TypeError("fetch failed", { cause })`,
 *   the cause carrying Node's code (ECONNREFUSED, ECONNRESET, …), as fetch does.
 * No Accept-Encoding is sent, so bodies arrive uncompressed.
 */
export interface TransportRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  /** JSON text; none for a GET. */
  body?: string;
  timeoutMs: number;
}

export interface TransportAnswer {
  status: number;
  /** The Retry-After header, when Brilliant sent one. */
  retryAfter: string | null;
  /** The body as UTF-8 text; "" when there is none. */
  text: string;
}

export type BrilliantTransport = (request: TransportRequest) => Promise<TransportAnswer>;

/**
 * At most this many connections to Brilliant at once, and as many kept open
 * between exchanges: the worker's orders in flight (`WORKER_CONCURRENCY`, 64
 * by default), so none waits for a connection, a wait its timeout would
 * count. With fewer kept, every burst of answers closes the rest and the
 * next burst opens them again: a connect and a close per order, and over
 * HTTPS a TLS handshake each. Node drops an idle connection Brilliant
 * closed, and closes its own before the timeout a server announces
 * (Keep-Alive: timeout=…).
 */
export function brilliantConnections(): number {
  return Math.max(1, env().WORKER_CONCURRENCY);
}

let agents: { "http:": http.Agent; "https:": https.Agent } | null = null;

function agentFor(protocol: "http:" | "https:"): http.Agent {
  if (!agents) {
    const size = brilliantConnections();
    const options = { keepAlive: true, maxSockets: size, maxFreeSockets: size };
    agents = { "http:": new http.Agent(options), "https:": new https.Agent(options) };
  }
  return agents[protocol];
}

export const nodeHttpTransport: BrilliantTransport = ({ method, url, headers, body, timeoutMs }) => {
  const protocol = url.startsWith("https:") ? "https:" : url.startsWith("http:") ? "http:" : null;
  if (!protocol) return Promise.reject(new TypeError(`fetch failed: ${url} is not http(s)`));
  const sent =
    body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };

  return new Promise<TransportAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const failed = (error: Error) => finish(() => reject(new TypeError("fetch failed", { cause: error })));
    const request = (protocol === "https:" ? https : http).request(
      url,
      { method, headers: sent, agent: agentFor(protocol) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          finish(() => {
            const retryAfter = response.headers["retry-after"];
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: retryAfter === undefined ? null : retryAfter,
              text: Buffer.concat(chunks).toString("utf8"),
            });
          }),
        );
        response.on("error", failed);
        // The connection closed before the body ended.
        response.on("close", () => {
          if (!response.complete)
            failed(Object.assign(new Error("socket closed mid-answer"), { code: "ECONNRESET" }));
        });
      },
    );
    const deadline = setTimeout(() => {
      finish(() => reject(new DOMException(`No answer within ${timeoutMs} ms`, "TimeoutError")));
      request.destroy();
    }, timeoutMs);
    request.on("error", failed);
    request.end(body);
  });
};
