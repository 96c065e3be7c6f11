import { truncateWal } from "../../db/sql.server";

/**
 * Thrown when a redaction did all it could but must be finished by
 * Shopify's next delivery of the webhook (answered 503): an order was being
 * sent to Brilliant, or SQLite's write-ahead log could not be emptied yet.
 * Every step is idempotent, and the order's own body stays until nothing
 * can be written from it any more.
 */
export class RedactionUnfinished extends Error {
  override name = "RedactionUnfinished";
}

export const walNotEmptied = () =>
  new RedactionUnfinished("SQLite's write-ahead log could not be emptied yet");

/** How long a redaction tries to empty SQLite's write-ahead log (never blocking the process). */
const WAL_TRUNCATE_WAIT_MS = 2_000;

/**
 * SQLite keeps the old text of every rewritten page in the -wal file until a
 * checkpoint, so the log is checkpointed and truncated. That needs a moment
 * with no other connection using the log: tried for a while, without
 * waiting in SQLite.
 */
export async function emptyWal(): Promise<boolean> {
  const deadline = Date.now() + WAL_TRUNCATE_WAIT_MS;
  for (;;) {
    if (await truncateWal()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}
