import type { Prisma } from "@prisma/client";
import type { AttemptRecord } from "../services/brilliant/outcome";

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

export async function appendAttempt(tx: Prisma.TransactionClient, entry: AttemptEntry): Promise<void> {
  const { record } = entry;
  await tx.forwardAttempt.create({
    data: {
      shop: entry.shop,
      orderId: entry.orderId,
      number: entry.number,
      kind: entry.kind,
      startedAt: new Date(record.startedAt),
      durationMs: Math.round(record.durationMs),
      requestBody:
        record.request.body === null || record.request.body === undefined
          ? null
          : JSON.stringify(record.request.body),
      httpStatus: record.httpStatus,
      responseBody: entry.responseOverride ?? record.rawBody,
      code: record.code,
      message: record.message,
      invalidRecords:
        entry.invalidRecords && entry.invalidRecords.length > 0 ? JSON.stringify(entry.invalidRecords) : null,
      outcome: entry.outcome,
      workerId: entry.workerId,
    },
  });
}
