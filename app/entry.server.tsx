import { PassThrough } from "stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import {
  createReadableStreamFromReadable,
  type ActionFunctionArgs,
  type EntryContext,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { isbot } from "isbot";
import { warmUpDatabase } from "./db/warm-up.server";
import { logger } from "./logger.server";
import { moveReceivedOrdersWhenQuiet } from "./orders/ingest.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

/**
 * Called by the production server (server.ts) before it accepts connections,
 * so that the first requests, which after a restart at a busy moment come by
 * the hundred at once, do not all wait on the database (warmUpDatabase).
 * It also starts the process's inbox mover, which moves orders/paid
 * webhooks' orders into Order whenever webhooks pause (decision 012).
 */
export async function warmUp(): Promise<void> {
  try {
    await warmUpDatabase();
  } finally {
    moveReceivedOrdersWhenQuiet();
  }
}

/**
 * Every error a loader, action or render threw: logged in full here, never
 * shown. In production Remix answers with "Unexpected Server Error" and the
 * root ErrorBoundary's page, without the message or stack.
 */
export function handleError(error: unknown, { request }: LoaderFunctionArgs | ActionFunctionArgs): void {
  // A request the browser gave up on is not an error of the app.
  if (request.signal.aborted) return;
  logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "request failed");
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);

        responseHeaders.set("Content-Type", "text/html");
        resolve(
          new Response(stream, {
            headers: responseHeaders,
            status: responseStatusCode,
          }),
        );
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        // The error page itself never shows a stack; the log keeps it.
        logger.error({ err: error, path: new URL(request.url).pathname }, "render failed");
      },
    });

    // Abort after the stream timeout so React can flush what it has.
    setTimeout(abort, streamTimeout + 1000);
  });
}

// server.ts calls it on SIGTERM: the build's own database client closes with the process.
export { closeDatabase as shutDown } from "./ops/close-database.server";
