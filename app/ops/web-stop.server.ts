import type http from "node:http";

import { logger } from "../logger.server";

/** How often connections that went idle while draining are closed. */
const IDLE_SWEEP_MS = 50;
/** How long closing the database may take once the requests are done. */
const DATABASE_CLOSE_MS = 2_000;

/**
 * Stops `server` taking connections and lets the requests in flight finish:
 * answers not yet begun end their connection (`Connection: close`), kept-alive
 * connections are closed as soon as they are idle, and whatever is still
 * open after `graceMs` is cut. Resolves once every connection is closed;
 * `cut` says whether some had to be.
 */
export function drainServer(server: http.Server, graceMs: number): Promise<{ cut: boolean }> {
  return new Promise((resolve) => {
    let cut = false;
    server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader("connection", "close");
    });
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      cut = true;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve({ cut });
    });
    server.closeIdleConnections();
  });
}

/**
 * The web process's stop (SIGTERM, SIGINT): drains the server within
 * `graceMs`, then closes the database connections (`closers`: the server's
 * own and the app build's), each bounded so the process always ends.
 */
export async function stopWebServer(
  server: http.Server,
  options: { graceMs: number; closers: ReadonlyArray<() => Promise<void>> },
): Promise<void> {
  const started = Date.now();
  logger.info(
    { graceMs: options.graceMs },
    "web server stopping: no new connections; requests in flight finish",
  );
  const { cut } = await drainServer(server, options.graceMs);
  if (cut) logger.warn({ graceMs: options.graceMs }, "requests still open after the grace were cut");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = Promise.allSettled(options.closers.map((close) => close())).then((results) => {
    for (const result of results) {
      if (result.status === "rejected") logger.warn({ err: result.reason }, "closing the database failed");
    }
  });
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, DATABASE_CLOSE_MS)))]);
  clearTimeout(timer);
  logger.info({ ms: Date.now() - started }, "web server stopped");
}
