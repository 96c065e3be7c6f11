import { newId } from "../db/ids";
import type { SqlRunner } from "../db/sql.server";
import type { AttemptRecord } from "../integrations/brilliant/outcome";

/**
 * The append-only ledger of calls to Brilliant for an order. Rows are only
 * ever created; (orderId, number) is unique, so a stale worker can never write
 * an attempt over another's.
 */
export interface AttemptEntry {
  shop: string;
  orderId: string;
  number: number;
  kind: "create" | "lookup";
  outcome: string;
  record: AttemptRecord;
  invalidRecords?: unknown[] | null;
  workerId: string;
  /** Lookups make several calls; the rest of them ride along in the stored response. */
  responseOverride?: string;
}

export async function appendAttempt(tx: SqlRunner, entry: AttemptEntry): Promise<void> {
  const { record } = entry;
  await tx.run(
    `INSERT INTO "ForwardAttempt" ("id", "shop", "orderId", "number", "kind", "startedAt", "durationMs",
       "requestBody", "httpStatus", "responseBody", "code", "message", "invalidRecords", "outcome", "workerId")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      newId(),
      entry.shop,
      entry.orderId,
      entry.number,
      entry.kind,
      new Date(record.startedAt),
      Math.round(record.durationMs),
      record.request.body === null || record.request.body === undefined
        ? null
        : JSON.stringify(record.request.body),
      record.httpStatus,
      entry.responseOverride ?? record.rawBody,
      record.code,
      record.message,
      entry.invalidRecords && entry.invalidRecords.length > 0 ? JSON.stringify(entry.invalidRecords) : null,
      entry.outcome,
      entry.workerId,
    ],
  );
}
