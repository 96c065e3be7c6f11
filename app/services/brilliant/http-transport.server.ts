import http from "node:http";
import https from "node:https";

/**
 * The Brilliant client's transport: `fetch`'s contract, as far as the client
 * uses it, on `node:http`/`node:https` with keep-alive agents. Node's `fetch`
 * (undici) cost ~4× the CPU per exchange (~370–440 µs against ~85–105 µs,
 * measured on this machine), and a worker makes at least one exchange per
 * order.
 *
 * What the client and its classification (outcome.ts) rely on is kept:
 * - redirects are never followed (`redirect: "manual"`): a 3xx is the answer;
 * - `init.signal` bounds the whole exchange, body included; when it fires the
 *   promise rejects with the signal's reason (a `TimeoutError` from
 *   `AbortSignal.timeout`) and the socket is destroyed;
 * - a network failure rejects with `TypeError("fetch failed", { cause })`,
 *   the cause carrying Node's code (ECONNREFUSED, ECONNRESET, …), as fetch does;
 * - the answer is a `Response` with the status, headers and body as text.
 * No Accept-Encoding is sent, so bodies arrive uncompressed.
 */
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
};

export const nodeHttpFetch = ((input: string | URL, init: RequestInit = {}): Promise<Response> => {
  if (typeof input !== "string" && !(input instanceof URL)) {
    return Promise.reject(new TypeError("nodeHttpFetch takes a URL, not a Request"));
  }
  const url = typeof input === "string" ? new URL(input) : input;
  const protocol = url.protocol as keyof typeof agents;
  if (!(protocol in agents))
    return Promise.reject(new TypeError(`fetch failed: ${url.protocol} is not http(s)`));
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== "string") {
    return Promise.reject(new TypeError("nodeHttpFetch sends string bodies only"));
  }
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
  const signal = init.signal ?? undefined;

  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const request = (protocol === "https:" ? https : http).request(
      url,
      { method: init.method ?? "GET", headers, agent: agents[protocol] },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          finish(() => {
            try {
              resolve(toResponse(response, chunks));
            } catch (error) {
              // A status Response cannot carry (below 200, above 599) or a malformed header.
              reject(new TypeError("fetch failed", { cause: error }));
            }
          }),
        );
        const failed = (error: Error) =>
          finish(() => reject(new TypeError("fetch failed", { cause: error })));
        response.on("error", failed);
        // The connection closed before the body ended.
        response.on("close", () => {
          if (!response.complete)
            failed(Object.assign(new Error("socket closed mid-answer"), { code: "ECONNRESET" }));
        });
      },
    );
    const onAbort = () => {
      finish(() => reject(signal!.reason));
      request.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => finish(() => reject(new TypeError("fetch failed", { cause: error }))));
    request.end(typeof body === "string" ? body : undefined);
  });
}) as typeof fetch;

function toResponse(response: http.IncomingMessage, chunks: Buffer[]): Response {
  const headers = new Headers();
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    headers.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
  }
  const status = response.statusCode ?? 0;
  // Response refuses a body on these statuses.
  const text =
    status === 204 || status === 205 || status === 304 ? null : Buffer.concat(chunks).toString("utf8");
  return new Response(text, { status, statusText: response.statusMessage, headers });
}
