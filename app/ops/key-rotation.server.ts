/**
 * Re-seals every stored secret with the current CREDENTIALS_ENCRYPTION_KEY
 * (`npm run rotate-key`, scripts/rotate-key.ts). A batch of rows at a time,
 * each row written only while its secrets are still what was read
 * (compare-and-set), so a value saved meanwhile by the app is never replaced
 * by an older one. Safe to run again and while the app runs: a value already
 * under the current key is left as it is.
 */
import type { Prisma } from "@prisma/client";

import { CredentialsDecryptionError, encryptSecret, openSecret } from "../db/credentials-crypto.server";
import { sqlFor, type Row, type SqlValue } from "../db/sql.server";
import { BATCH, quote } from "../orders/compliance/batches";

interface SecretTable {
  table: Prisma.ModelName;
  /** The column a row is named by (and paged on). */
  key: string;
  columns: readonly string[];
  /** Values stored before they were encrypted are plaintext; they are sealed too. */
  plaintextAllowed?: boolean;
  /** A row whose lock column is in the future is being rewritten by the app: left for the next run. */
  lockedUntil?: string;
}

/** Every encrypted column (text-columns.ts describes each as "(encrypted)"; a test holds the two lists together). */
export const SECRET_TABLES: readonly SecretTable[] = [
  { table: "ShopSettings", key: "shop", columns: ["brilliantApiKeyEnc", "brilliantApiSecretEnc"] },
  // An offline token renewal compare-and-sets on the stored access token and holds a lock meanwhile:
  // rewriting the row under it would make the renewer drop the token Shopify just gave it.
  {
    table: "Session",
    key: "id",
    columns: ["accessToken", "refreshToken"],
    plaintextAllowed: true,
    lockedUntil: "renewingUntil",
  },
];

export interface ColumnCounts {
  table: string;
  column: string;
  /** Already sealed with the current key. */
  current: number;
  /** Sealed with the previous key, now with the current one. */
  resealed: number;
  /** Stored as plaintext, now sealed. */
  sealedPlaintext: number;
  /** Opens with neither key: reported, left as it is. */
  unreadable: number;
}

export interface RotationReport {
  columns: ColumnCounts[];
  /** Which values could not be opened, by row (no value is ever printed). */
  unreadable: Array<{ table: string; row: string; column: string }>;
  /** Rows changed by the app between read and write, or locked by it: run again for them. */
  left: Array<{ table: string; row: string }>;
  /** With `dryRun`: counted, nothing written. */
  dryRun: boolean;
}

type Verdict = "current" | "resealed" | "sealedPlaintext" | "unreadable";

interface Change {
  column: string;
  from: string;
  to: string;
  verdict: "resealed" | "sealedPlaintext";
}

/** What one stored value is, and its new sealed form when it is to change. */
function reseal(stored: string, plaintextAllowed: boolean): { verdict: Verdict; sealed?: string } {
  if (!stored.startsWith("v1.")) {
    return plaintextAllowed
      ? { verdict: "sealedPlaintext", sealed: encryptSecret(stored) }
      : { verdict: "unreadable" };
  }
  try {
    const { plain, sealedWith } = openSecret(stored);
    return sealedWith === "current"
      ? { verdict: "current" }
      : { verdict: "resealed", sealed: encryptSecret(plain) };
  } catch (error) {
    if (error instanceof CredentialsDecryptionError) return { verdict: "unreadable" };
    throw error;
  }
}

export async function rotateSecrets(
  options: { dryRun?: boolean; batchSize?: number } = {},
): Promise<RotationReport> {
  const report: RotationReport = { columns: [], unreadable: [], left: [], dryRun: options.dryRun ?? false };
  for (const table of SECRET_TABLES) await rotateTable(table, report, options.batchSize ?? BATCH);
  return report;
}

async function rotateTable(spec: SecretTable, report: RotationReport, batchSize: number): Promise<void> {
  const counts = new Map<string, ColumnCounts>();
  for (const column of spec.columns) {
    counts.set(column, {
      table: spec.table,
      column,
      current: 0,
      resealed: 0,
      sealedPlaintext: 0,
      unreadable: 0,
    });
  }
  report.columns.push(...counts.values());
  const selected = [spec.key, ...spec.columns].map(quote).join(", ");
  let after = "";
  for (;;) {
    const rows = await sqlFor().all<Row>(
      `SELECT ${selected} FROM ${quote(spec.table)} WHERE ${quote(spec.key)} > ?
       ORDER BY ${quote(spec.key)} LIMIT ?`,
      [after, batchSize],
    );
    if (rows.length === 0) return;
    after = String(rows.at(-1)![spec.key]);
    const pending: Array<{ row: string; changes: Change[] }> = [];
    for (const row of rows) {
      const name = String(row[spec.key]);
      const changes: Change[] = [];
      for (const column of spec.columns) {
        const stored = row[column];
        if (typeof stored !== "string" || stored === "") continue;
        const { verdict, sealed } = reseal(stored, spec.plaintextAllowed ?? false);
        if (verdict === "resealed" || verdict === "sealedPlaintext") {
          changes.push({ column, from: stored, to: sealed!, verdict });
          continue;
        }
        counts.get(column)![verdict] += 1;
        if (verdict === "unreadable") report.unreadable.push({ table: spec.table, row: name, column });
      }
      if (changes.length > 0) pending.push({ row: name, changes });
    }
    const written = report.dryRun ? pending : await writeChanges(spec, pending, report);
    for (const { changes } of written) {
      for (const change of changes) counts.get(change.column)![change.verdict] += 1;
    }
    if (rows.length < batchSize) return;
  }
}

/**
 * Writes each row's new values in one transaction, each only while the row
 * still holds what was read (and, with a lock column, nobody holds it).
 * Returns the rows written; the others are noted in `report.left`.
 */
async function writeChanges(
  spec: SecretTable,
  pending: Array<{ row: string; changes: Change[] }>,
  report: RotationReport,
): Promise<Array<{ row: string; changes: Change[] }>> {
  if (pending.length === 0) return [];
  const outcomes = await sqlFor().transaction(async (tx) => {
    const written: boolean[] = [];
    for (const { row, changes } of pending) {
      const sets = changes.map((change) => `${quote(change.column)} = ?`);
      const params: SqlValue[] = [
        ...changes.map((change) => change.to),
        row,
        ...changes.map((change) => change.from),
      ];
      let where = `${quote(spec.key)} = ? AND ${sets.join(" AND ")}`;
      if (spec.lockedUntil) {
        where += ` AND (${quote(spec.lockedUntil)} IS NULL OR ${quote(spec.lockedUntil)} < ?)`;
        params.push(new Date());
      }
      written.push(
        (await tx.run(`UPDATE ${quote(spec.table)} SET ${sets.join(", ")} WHERE ${where}`, params)) > 0,
      );
    }
    return written;
  });
  for (const [index, { row }] of pending.entries()) {
    if (!outcomes[index]) report.left.push({ table: spec.table, row });
  }
  return pending.filter((_, index) => outcomes[index]);
}

/** Whether every secret is now under the current key: then CREDENTIALS_ENCRYPTION_KEY_PREVIOUS can go. */
export function rotationComplete(report: RotationReport): boolean {
  return !report.dryRun && report.unreadable.length === 0 && report.left.length === 0;
}
