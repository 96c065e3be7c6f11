// The production server's webhook lane reads a webhook's body whole (for its
// size limits) before the route runs. It hands the route a plain Fetch
// Request of that body, unread, and its text beside it, so the route need not
// read and copy the body before authenticate.webhook reads it: one Request
// per webhook instead of two. A registered symbol, because server.ts (from
// source) and the routes (the server build) each have a copy of this module.
const RAW_BODY = Symbol.for("brilliant-sync.webhook-raw-body");

type WithRawBody = Request & { [RAW_BODY]?: string };

/** `request`, marked with the text of its body (which it still holds, unread). */
export function withRawBody(request: Request, text: string): Request {
  (request as WithRawBody)[RAW_BODY] = text;
  return request;
}

/** The body's text the lane read, if this request came through it. */
export function rawBodyOf(request: Request): string | undefined {
  return (request as WithRawBody)[RAW_BODY];
}
