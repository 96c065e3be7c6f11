/**
 * How large a request's body may be, by path. The production server
 * (server.ts) checks a body against its limit before it holds any of it in
 * memory: a declared Content-Length over the limit is answered 413 without a
 * byte read, and a body that grows past it while streaming is cut off with a
 * 413. No server-only imports: server.ts loads this module from source.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Shopify documents no maximum for webhooks delivered over HTTPS; the only
 * documented cap is EventBridge's 1,000,000 bytes (larger payloads become a
 * bare `{"id": …}` there), and Shopify's staff say order bodies can exceed a
 * megabyte. 5 MiB is several times the largest order seen, and small enough
 * that a burst of bodies held at once stays bounded (server.ts).
 */
export const WEBHOOK_BODY_LIMIT_BYTES = 5 * MiB;

/** Brilliant's order status calls: a few hundred bytes of JSON. */
export const BRILLIANT_STATUS_BODY_LIMIT_BYTES = 64 * KiB;

/** Every other post: the login form and the admin's forms. */
export const FORM_BODY_LIMIT_BYTES = 1 * MiB;

/**
 * CSV import (app.mappings.import): a file of up to 20 million characters,
 * posted URL-encoded by the page, where each comma and newline takes 3 bytes.
 */
export const CSV_IMPORT_BODY_LIMIT_BYTES = 64 * MiB;

/** Auto-match's save (app.mappings.auto-match): up to 250,000 ticked variant ids, ~100 bytes each as form fields. */
export const AUTO_MATCH_BODY_LIMIT_BYTES = 32 * MiB;

/** The limit for a request to `pathname`, matched as Remix matches routes: any case, a trailing slash. */
export function bodyLimitFor(pathname: string): number {
  const path = pathname.toLowerCase().replace(/\/+$/, "");
  if (path.startsWith("/webhooks/")) return WEBHOOK_BODY_LIMIT_BYTES;
  if (path.startsWith("/brilliant/status/")) return BRILLIANT_STATUS_BODY_LIMIT_BYTES;
  if (path === "/app/mappings/import") return CSV_IMPORT_BODY_LIMIT_BYTES;
  if (path === "/app/mappings/auto-match") return AUTO_MATCH_BODY_LIMIT_BYTES;
  return FORM_BODY_LIMIT_BYTES;
}

/**
 * A request's body as text, read from its stream up to `limit` bytes; null
 * when it declares or turns out to be larger (the stream is cancelled, so the
 * rest is never read). For routes that must not trust the server alone to
 * bound what they read.
 */
export async function readBodyUpTo(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}
